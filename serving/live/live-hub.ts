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
  /** …and for at most this long (default 15 minutes)… */
  readonly retainMs?: number
  /**
   * …and in all, over every stream, at most this many bytes of encoded matches (default 32 MiB;
   * the oldest go first, whichever stream they belong to).
   */
  readonly retainBytes?: number
  /** A stream nobody has followed for this long is let go, with what it kept (default 5 min). */
  readonly idleMs?: number
  /** Matches a consumer may fall behind by before it is dropped (default 1,000). */
  readonly bufferLimit?: number
  readonly now?: () => number
}

interface Entry {
  readonly seq: number
  readonly at: number
  readonly id: string
  readonly match: LiveMatch
  /** Bytes of its encoded line: what it counts against the retention budget. */
  readonly size: number
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
  /** Names this log's sequence in cursors: a stream let go and followed again starts anew. */
  readonly epoch = randomBytes(4).toString('hex')
  seq = 0
  /** Since when nobody follows it (undefined while somebody does). */
  idleSince: number | undefined
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
  private retainedBytes = 0
  private readonly sweeper: NodeJS.Timeout
  readonly counts = { delivered: 0, dropped: 0, consumers: 0 }

  constructor(
    private readonly channel: MatchChannel,
    private readonly options: LiveHubOptions = {},
  ) {
    const idleMs = options.idleMs ?? 5 * 60_000
    this.sweeper = setInterval(() => void this.dropIdle(idleMs), Math.min(idleMs, 60_000))
    this.sweeper.unref()
  }

  /** Bytes of matches kept for resuming, over every stream. */
  get retained(): number {
    return this.retainedBytes
  }

  /** Lets go of streams nobody has followed for `idleMs`: their subscription and what they kept. */
  private async dropIdle(idleMs: number): Promise<void> {
    const before = this.now() - idleMs
    for (const [stream, log] of [...this.logs]) {
      if (log.idleSince === undefined || log.idleSince > before) continue
      this.logs.delete(stream)
      for (const e of log.entries) this.retainedBytes -= e.size
      await (
        await log.unsubscribe
      )?.()
    }
  }

  private dropOldest(log: StreamLog): void {
    const e = log.entries.shift()
    if (e === undefined) return
    log.ids.delete(e.id)
    this.retainedBytes -= e.size
  }

  private now(): number {
    return this.options.now?.() ?? Date.now()
  }

  private cursorOf(log: StreamLog, seq: number): string {
    return `${log.epoch}.${seq}`
  }

  private receive(log: StreamLog, match: MatchMessage): void {
    const id = match.interaction.interaction?.id
    if (id === undefined || log.ids.has(id)) return
    const seq = ++log.seq
    const live = new LiveMatch(this.cursorOf(log, seq), match.stream, match.interaction)
    // Encoded now, once: every consumer sends this line, and its size is what is kept.
    const entry: Entry = { seq, at: this.now(), id, match: live, size: live.line.length }
    log.entries.push(entry)
    log.ids.add(id)
    this.retainedBytes += entry.size
    const keep = this.options.retainMatches ?? 10_000
    const oldest = this.now() - (this.options.retainMs ?? 15 * 60_000)
    while (
      log.entries.length > keep ||
      (log.entries.length > 0 && (log.entries[0] as Entry).at < oldest)
    )
      this.dropOldest(log)
    this.trimToBudget()
    for (const consumer of log.consumers) {
      consumer.offer(entry.match)
      this.counts.delivered++
    }
  }

  /** Drops the oldest kept matches, whichever stream holds them, until the budget holds. */
  private trimToBudget(): void {
    const budget = this.options.retainBytes ?? 32 * 1024 * 1024
    while (this.retainedBytes > budget) {
      let oldest: StreamLog | undefined
      for (const log of this.logs.values()) {
        const first = log.entries[0]
        if (
          first !== undefined &&
          (oldest === undefined || first.at < (oldest.entries[0] as Entry).at)
        )
          oldest = log
      }
      if (oldest === undefined) return
      this.dropOldest(oldest)
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
      created.idleSince = this.now()
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
        if (owner.consumers.size === 0) owner.idleSince = this.now()
      },
      () => this.counts.dropped++,
    )
    if (from !== undefined)
      for (const e of log.entries) if (e.seq > from) subscription.offer(e.match)
    log.consumers.add(subscription)
    log.idleSince = undefined
    this.counts.consumers++
    return subscription
  }

  private resumeFrom(log: StreamLog, cursor: string): number {
    const [epoch, seqText] = cursor.split('.')
    const seq = Number(seqText)
    if (epoch !== log.epoch || !Number.isInteger(seq) || seq < 0 || seq > log.seq)
      throw new LiveCursorError(
        cursor,
        'this server no longer keeps where it was (another server, a restart, or a stream nobody followed for a while); follow without a cursor, and replay the gap if it matters',
      )
    const oldest = log.entries[0]?.seq ?? log.seq + 1
    if (seq + 1 < oldest)
      throw new LiveCursorError(
        cursor,
        `matches after it are no longer kept (the oldest kept is ${this.cursorOf(log, oldest)}); replay the gap`,
      )
    return seq
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper)
    for (const log of this.logs.values()) {
      for (const c of [...log.consumers]) c.close()
      await (
        await log.unsubscribe
      )?.()
    }
    this.logs.clear()
  }
}
