import type { Interaction } from '../interaction.js'

/** One match: a stream (by hash) and the interaction it matched. */
export interface MatchMessage {
  readonly stream: string
  readonly interaction: Interaction
}

/** Stops a subscription. */
export type Unsubscribe = () => Promise<void>

/**
 * The matches channel: the speed layer publishes every (stream, interaction) match once it is
 * committed; live delivery and recordings subscribe to a stream, or to every stream with `*`.
 * Delivery is at least once and in publishing order per publisher; a subscriber that was not
 * listening misses what was published meanwhile (recordings keep their own durable log).
 *
 * @example
 *   const stop = await channel.subscribe(hash, (m) => send(m.interaction))
 *   await channel.publish([{ stream: hash, interaction }])
 */
export interface MatchChannel {
  publish(matches: readonly MatchMessage[]): Promise<void>
  subscribe(stream: string, handler: (match: MatchMessage) => void): Promise<Unsubscribe>
  close(): Promise<void>
}

/** Subscribes to every stream. */
export const ALL_STREAMS = '*'
