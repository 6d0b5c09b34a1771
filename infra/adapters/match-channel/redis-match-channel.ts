import { Redis } from 'ioredis'
import { decodeInteraction, encodeInteraction } from '../../../schemas/index.js'
import {
  ALL_STREAMS,
  type MatchChannel,
  type MatchMessage,
  type Unsubscribe,
} from '../../../schemas/ports/index.js'

export interface RedisMatchChannelOptions {
  readonly host: string
  readonly port: number
  readonly prefix: string
}

/**
 * The matches channel over Redis pub/sub: one channel per stream (`<prefix>:matches:<hash>`);
 * `*` subscribes by pattern. Messages are the stream and the interaction in Sluice's JSON
 * encoding (64-bit ids as exact digits); a publish of many matches is one pipeline.
 */
export class RedisMatchChannel implements MatchChannel {
  private readonly publisher: Redis
  private subscriber: Redis | undefined
  private readonly handlers = new Map<string, Set<(match: MatchMessage) => void>>()

  constructor(private readonly options: RedisMatchChannelOptions) {
    this.publisher = new Redis({ host: options.host, port: options.port, lazyConnect: true })
  }

  private channel(stream: string): string {
    return `${this.options.prefix}:matches:${stream}`
  }

  async publish(matches: readonly MatchMessage[]): Promise<void> {
    if (matches.length === 0) return
    const pipeline = this.publisher.pipeline()
    for (const m of matches)
      pipeline.publish(
        this.channel(m.stream),
        `{"stream":${JSON.stringify(m.stream)},"interaction":${encodeInteraction(m.interaction)}}`,
      )
    await pipeline.exec()
  }

  private listener(): Redis {
    if (this.subscriber !== undefined) return this.subscriber
    const subscriber = new Redis({ host: this.options.host, port: this.options.port })
    const deliver = (key: string, message: string): void => {
      const parsed = JSON.parse(message) as { stream: string; interaction: unknown }
      const decoded = decodeInteraction(parsed.interaction)
      // Only this channel's publishers write here, with encodeInteraction.
      if (!decoded.ok) return
      const match = { stream: parsed.stream, interaction: decoded.interaction }
      for (const handler of this.handlers.get(key) ?? []) handler(match)
    }
    subscriber.on('message', (channel: string, message: string) => deliver(channel, message))
    subscriber.on('pmessage', (pattern: string, _channel: string, message: string) =>
      deliver(pattern, message),
    )
    this.subscriber = subscriber
    return subscriber
  }

  async subscribe(stream: string, handler: (match: MatchMessage) => void): Promise<Unsubscribe> {
    const subscriber = this.listener()
    const key = this.channel(stream)
    let set = this.handlers.get(key)
    if (set === undefined) {
      set = new Set()
      this.handlers.set(key, set)
      if (stream === ALL_STREAMS) await subscriber.psubscribe(key)
      else await subscriber.subscribe(key)
    }
    set.add(handler)
    return async () => {
      set.delete(handler)
      if (set.size > 0) return
      this.handlers.delete(key)
      if (stream === ALL_STREAMS) await subscriber.punsubscribe(key)
      else await subscriber.unsubscribe(key)
    }
  }

  close(): Promise<void> {
    this.handlers.clear()
    this.subscriber?.disconnect()
    this.publisher.disconnect()
    return Promise.resolve()
  }
}
