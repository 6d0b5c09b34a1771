import type { StreamCatalog } from '../../query-dsl/index.js'
import type { LiveHub, LiveSubscription } from './live-hub.js'

/** The caller has no stream of that hash (another key's answers the same). */
export class LiveStreamNotFoundError extends Error {
  override readonly name = 'LiveStreamNotFoundError'
  constructor(readonly hash: string) {
    super(`you have no stream ${hash}`)
  }
}

/** Who follows: a key's id, and a way to ask whether the key still holds. */
export interface LiveFollower {
  readonly keyId: string
  readonly stillValid: () => Promise<boolean>
}

interface Watched {
  readonly subscription: LiveSubscription
  readonly follower: LiveFollower
  /** The stream followed as the follower's own (undefined: the firehose, for previews). */
  readonly stream: string | undefined
}

export interface LiveAccessOptions {
  /** How often open connections' keys and streams are checked again (default 2 s). */
  readonly recheckMs?: number
  /** Told of a failed check (the connections stay open until one succeeds). */
  readonly onError?: (error: unknown) => void
}

/**
 * What every live transport (HTTP, WebSocket, subscriptions) goes through: a key follows only
 * its own streams, and only while it may. Open connections are checked again every few
 * seconds; once a key is revoked, or the stream is no longer its own, they end with
 * `{kind: 'refused'}` and the reason.
 */
export class LiveAccess {
  private readonly watched = new Set<Watched>()
  private readonly timer: NodeJS.Timeout
  private checking = false

  constructor(
    readonly hub: LiveHub,
    private readonly catalog: StreamCatalog,
    private readonly options: LiveAccessOptions = {},
  ) {
    this.timer = setInterval(() => void this.recheck(), options.recheckMs ?? 2000)
    this.timer.unref()
  }

  /**
   * Follows `follower`'s own stream `hash` (from just after `cursor` when given). Throws
   * {@link LiveStreamNotFoundError}, or the hub's `LiveCursorError`.
   */
  async followOwn(
    follower: LiveFollower,
    hash: string,
    cursor: string | undefined,
  ): Promise<LiveSubscription> {
    const record = await this.catalog.get(hash)
    if (record === undefined || !(follower.keyId in record.owners))
      throw new LiveStreamNotFoundError(hash)
    return this.watch(await this.hub.follow(record.hash, cursor), follower, record.hash)
  }

  /** Follows the stream `hash` Sluice keeps for everyone (the firehose previews run on). */
  async followSystem(follower: LiveFollower, hash: string): Promise<LiveSubscription> {
    return this.watch(await this.hub.follow(hash), follower, undefined)
  }

  private watch(
    subscription: LiveSubscription,
    follower: LiveFollower,
    stream: string | undefined,
  ): LiveSubscription {
    const entry: Watched = { subscription, follower, stream }
    this.watched.add(entry)
    subscription.onEnd(() => this.watched.delete(entry))
    return subscription
  }

  private async recheck(): Promise<void> {
    if (this.checking || this.watched.size === 0) return
    this.checking = true
    try {
      // One check per key and per stream, however many connections share them.
      const keys = new Map<string, Promise<boolean>>()
      const owners = new Map<string, Promise<Readonly<Record<string, string>> | undefined>>()
      for (const w of [...this.watched]) {
        let valid = keys.get(w.follower.keyId)
        if (valid === undefined) {
          valid = w.follower.stillValid()
          keys.set(w.follower.keyId, valid)
        }
        if (!(await valid)) {
          w.subscription.finish({ kind: 'refused', reason: 'the API key was revoked' })
          continue
        }
        if (w.stream === undefined) continue
        let stream = owners.get(w.stream)
        if (stream === undefined) {
          stream = this.catalog.get(w.stream).then((r) => r?.owners)
          owners.set(w.stream, stream)
        }
        const current = await stream
        if (current === undefined || !(w.follower.keyId in current))
          w.subscription.finish({
            kind: 'refused',
            reason: `you have no stream ${w.stream} any more`,
          })
      }
    } catch (e) {
      this.options.onError?.(e)
    } finally {
      this.checking = false
    }
  }

  /** Stops checking (the hub closes the connections). */
  close(): void {
    clearInterval(this.timer)
    this.watched.clear()
  }
}
