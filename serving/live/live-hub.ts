import { randomBytes } from 'node:crypto'
import { encodeInteraction, type Interaction } from '../../schemas/index.js'
import type { MatchChannel, MatchMessage, Unsubscribe } from '../../schemas/ports/index.js'

/**
 * One delivered match and the cursor to resume after it. Every consumer of a stream gets the
 * same object, and its wire form (`line`) is made once for all of them.
 */
export class LiveMatch {
  private encoded: Buffer | undefined

  constructor(
    readonly cursor: string,
    readonly stream: string,
    readonly interaction: Interaction,
  ) {}

  /** `{"cursor":…,"interaction":…}` and a newline, as UTF-8: what NDJSON and WebSocket send. */
  get line(): Buffer {
    this.encoded ??= Buffer.from(
      `{"cursor":${JSON.stringify(this.cursor)},"interaction":${encodeInteraction(this.interaction)}}\n`,
    )
    return this.encoded
  }
}

/**
 * Why a consumer's delivery ended: it closed, it fell behind, or it may no longer follow
 * (its key was revoked, the stream is no longer its own).
 */
export type LiveEnd =
  | { readonly kind: 'closed' }
  | { readonly kind: 'slow'; readonly reason: string }
  | { readonly kind: 'refused'; readonly reason: string }

/** A cursor this server cannot resume from; the message says what to do instead. */
export class LiveCursorError extends Error {
  override readonly name = 'LiveCursorError'
  constructor(
    readonly cursor: string,
    reason: string,
  ) {
    super(`cannot resume from cursor ${cursor}: ${reason}`)
  }
}

export interface LiveHubOptions {
  /** Matches kept per stream for resuming (default 10,000)… */
  readonly retainMatches?: number
  /** …and for at most this long (default 15 minutes). */
  readonly retainMs?: number
  /** Matches a consumer may fall behind by before it is dropped (default 1,000). */
  readonly bufferLimit?: number
  readonly now?: () => number
}

interface Entry {
  readonly seq: number
  readonly at: number
  readonly id: string
  readonly match: LiveMatch
}

/**
 * One consumer's bounded queue. The producer never waits for it: a consumer that falls
 * `limit` matches behind is dropped with a reason instead of slowing the others.
 */
export class LiveSubscription implements AsyncIterable<LiveMatch> {
  private readonly queue: LiveMatch[] = []
  private wake: (() => void) | undefined
  private ended: LiveEnd | undefined
  private readonly endListeners: ((end: LiveEnd) => void)[] = []

  constructor(
    private readonly limit: number,
    private readonly detach: (s: LiveSubscription) => void,
    private readonly onSlow: () => void,
  ) {}

  /** How it ended, once it has. */
  get end(): LiveEnd | undefined {
    return this.ended
  }

  offer(match: LiveMatch): void {
    if (this.ended !== undefined) return
    if (this.queue.length >= this.limit) {
      this.finish({
        kind: 'slow',
        reason: `consumer fell ${this.limit} matches behind; resume from the last cursor received`,
      })
      this.onSlow()
      return
    }
    this.queue.push(match)
    this.wake?.()
  }

  /** Ends delivery; matches already queued are still handed out. */
  finish(end: LiveEnd): void {
    if (this.ended !== undefined) return
    this.ended = end
    this.detach(this)
    this.wake?.()
    for (const listener of this.endListeners.splice(0)) listener(end)
  }

  /** Calls `listener` once delivery ends (at once if it has). */
  onEnd(listener: (end: LiveEnd) => void): void {
    if (this.ended !== undefined) listener(this.ended)
    else this.endListeners.push(listener)
  }

  close(): void {
    this.finish({ kind: 'closed' })
    this.queue.length = 0
  }

  async *[Symbol.asyncIterator](): AsyncIterator<LiveMatch> {
    for (;;) {
      const next = this.queue.shift()
      if (next !== undefined) {
        yield next
        continue
      }
      if (this.ended !== undefined) return
      await new Promise<void>((resolve) => (this.wake = resolve))
      this.wake = undefined
    }
  }
}

/** A stream's recent matches (for resuming) and its consumers. */
class StreamLog {
  readonly entries: Entry[] = []
  readonly ids = new Set<string>()
  readonly consumers = new Set<LiveSubscription>()
  seq = 0
  unsubscribe: Promise<Unsubscribe> | undefined
}

/**
 * Live delivery of streams' matches from the matches channel to any number of consumers. Each
 * stream is subscribed once per server, however many consumers follow it; matches are
 * de-duplicated by interaction id (the channel delivers at least once) and numbered, and the
 * last ones are kept so a consumer can resume from a cursor within the retention window.
 * Cursors are this server's (a restart or another server starts a new sequence).
 */
export class LiveHub {
  private readonly logs = new Map<string, StreamLog>()
  private readonly epoch = randomBytes(4).toString('hex')
  readonly counts = { delivered: 0, dropped: 0, consumers: 0 }

  constructor(
    private readonly channel: MatchChannel,
    private readonly options: LiveHubOptions = {},
  ) {}

  private now(): number {
    return this.options.now?.() ?? Date.now()
  }

  private cursorOf(seq: number): string {
    return `${this.epoch}.${seq}`
  }

  private receive(log: StreamLog, match: MatchMessage): void {
    const id = match.interaction.interaction?.id
    if (id === undefined || log.ids.has(id)) return
    const seq = ++log.seq
    const entry: Entry = {
      seq,
      at: this.now(),
      id,
      match: new LiveMatch(this.cursorOf(seq), match.stream, match.interaction),
    }
    log.entries.push(entry)
    log.ids.add(id)
    const keep = this.options.retainMatches ?? 10_000
    const oldest = this.now() - (this.options.retainMs ?? 15 * 60_000)
    while (
      log.entries.length > keep ||
      (log.entries.length > 0 && (log.entries[0] as Entry).at < oldest)
    )
      log.ids.delete((log.entries.shift() as Entry).id)
    for (const consumer of log.consumers) {
      consumer.offer(entry.match)
      this.counts.delivered++
    }
  }

  /**
   * Follows `stream` from now, or from just after `cursor` when given (the matches kept since
   * then first). Throws {@link LiveCursorError} for a cursor outside the retention window.
   */
  async follow(stream: string, cursor?: string): Promise<LiveSubscription> {
    let log = this.logs.get(stream)
    if (log === undefined) {
      const created = new StreamLog()
      created.unsubscribe = this.channel.subscribe(stream, (m) => this.receive(created, m))
      this.logs.set(stream, created)
      log = created
    }
    await log.unsubscribe
    const from = cursor === undefined ? undefined : this.resumeFrom(log, cursor)
    const owner = log
    const subscription = new LiveSubscription(
      this.options.bufferLimit ?? 1000,
      (s) => {
        if (owner.consumers.delete(s)) this.counts.consumers--
      },
      () => this.counts.dropped++,
    )
    if (from !== undefined)
      for (const e of log.entries) if (e.seq > from) subscription.offer(e.match)
    log.consumers.add(subscription)
    this.counts.consumers++
    return subscription
  }

  private resumeFrom(log: StreamLog, cursor: string): number {
    const [epoch, seqText] = cursor.split('.')
    const seq = Number(seqText)
    if (epoch !== this.epoch || !Number.isInteger(seq) || seq < 0 || seq > log.seq)
      throw new LiveCursorError(
        cursor,
        'it is not from this server since its last start; follow without a cursor, and replay the gap if it matters',
      )
    const oldest = log.entries[0]?.seq ?? log.seq + 1
    if (seq + 1 < oldest)
      throw new LiveCursorError(
        cursor,
        `matches after it are no longer kept (the oldest kept is ${this.cursorOf(oldest)}); replay the gap`,
      )
    return seq
  }

  async close(): Promise<void> {
    for (const log of this.logs.values()) {
      for (const c of [...log.consumers]) c.close()
      await (
        await log.unsubscribe
      )?.()
    }
    this.logs.clear()
  }
}
