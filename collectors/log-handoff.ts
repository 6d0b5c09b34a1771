import { createReadStream } from 'node:fs'
import { readFile, rename, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { createGunzip } from 'node:zlib'
import type { JobQueue } from '../schemas/ports/index.js'
import { RetryBackoff } from './retry-backoff.js'
import { listSegmentFiles, type SegmentFile } from './segment-files.js'
import { WakeableLoop } from './wakeable-loop.js'

/**
 * A hand-off job: consecutive raw-log lines (envelopes) of one segment. Job id
 * `<collector>-<segment>-<first line>`, so handing a segment off again after a crash adds
 * nothing the queue still remembers.
 */
export interface HandoffJob {
  readonly collector: string
  readonly segment: number
  readonly firstSeq: number
  readonly lines: readonly string[]
}

export interface HandoffOptions {
  readonly logDir: string
  readonly collector: string
  readonly queue: JobQueue<HandoffJob>
  /** Records per job: a queue moves ~27,000 jobs/s, so a job should carry many. */
  readonly recordsPerJob?: number
  /** A queue call that takes longer is treated as an outage and retried later. */
  readonly timeoutMs?: number
  readonly pollMs?: number
  /** Longest wait between retries while the queue is down. */
  readonly retryMaxMs?: number
  readonly now?: () => number
  readonly onError?: (error: unknown) => void
}

export interface HandoffStats {
  readonly segments: number
  readonly jobs: number
  readonly records: number
  readonly failures: number
  readonly lastError: string | undefined
  /** Sealed raw segments not yet handed off, and the age of the oldest (ms). */
  readonly behind: number
  readonly oldestBehindMs: number
}

const CURSOR_FILE = 'handoff-cursor.json'

interface Cursor {
  /** Every segment number below this is handed off (or never needed it). */
  below: number
  /** Handed-off numbers at or above `below`. */
  done: number[]
}

function withTimeout<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)
  })
  // The loser of the race must not become an unhandled rejection.
  work.catch(() => undefined)
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Feeds the speed layer from the raw log: a separate consumer that reads sealed raw segments in
 * segment order and adds their lines to the queue in jobs, remembering (in a cursor file in the
 * log directory) which segments it has handed off. Ingestion never waits for it: when the queue
 * is down or slow, the segments wait on local disk and the hand-off catches up from them.
 */
export class LogHandoff {
  private readonly loop: WakeableLoop
  private readonly backoff: RetryBackoff
  private cursor: Cursor = { below: 0, done: [] }
  private doneSet = new Set<number>()
  private loaded = false
  private readonly now: () => number
  private stats = {
    segments: 0,
    jobs: 0,
    records: 0,
    failures: 0,
    lastError: undefined as string | undefined,
  }
  private behind = { count: 0, oldestMs: 0 }

  constructor(private readonly options: HandoffOptions) {
    this.now = options.now ?? Date.now
    this.backoff = new RetryBackoff(500, options.retryMaxMs ?? 30_000)
    this.loop = new WakeableLoop(() => this.pass(), options.pollMs ?? 1000)
  }

  start(): void {
    this.loop.start()
  }

  poke(): void {
    this.loop.poke()
  }

  stop(): Promise<void> {
    return this.loop.stop()
  }

  /** Whether segment `n` has been handed off (the uploader keeps it on disk until then). */
  isHandedOff(n: number): boolean {
    return n < this.cursor.below || this.doneSet.has(n)
  }

  getStats(): HandoffStats {
    return { ...this.stats, behind: this.behind.count, oldestBehindMs: this.behind.oldestMs }
  }

  /** Runs passes until every sealed raw segment is handed off (for shutdown and tests). */
  async drain(): Promise<void> {
    await this.loop.drain(
      () => this.behind.count === 0,
      () => new Error(this.stats.lastError ?? 'hand-off failed'),
    )
  }

  private async loadCursor(): Promise<void> {
    if (this.loaded) return
    const text = await readFile(join(this.options.logDir, CURSOR_FILE), 'utf8').catch(
      () => undefined,
    )
    if (text !== undefined) {
      const parsed = JSON.parse(text) as Cursor
      this.cursor = { below: parsed.below, done: [...parsed.done] }
      this.doneSet = new Set(parsed.done)
    }
    this.loaded = true
  }

  private async saveCursor(files: readonly SegmentFile[]): Promise<void> {
    // `below` rises to the first segment still on disk that is not handed off.
    const open = files.filter(
      (f) =>
        !(f.parts.area === 'raw' && this.doneSet.has(f.parts.segment)) && f.parts.area === 'raw',
    )
    const firstOpen = open.length === 0 ? undefined : open[0]?.parts.segment
    const highest = Math.max(this.cursor.below - 1, ...this.doneSet)
    const below = firstOpen ?? highest + 1
    const done = [...this.doneSet].filter((n) => n >= below).sort((a, b) => a - b)
    this.cursor = { below, done }
    this.doneSet = new Set(done)
    const path = join(this.options.logDir, CURSOR_FILE)
    await writeFile(`${path}.tmp`, JSON.stringify(this.cursor))
    await rename(`${path}.tmp`, path)
  }

  private async pass(): Promise<number | undefined> {
    await this.loadCursor()
    const files = await listSegmentFiles(this.options.logDir)
    const todo = files.filter(
      (f) =>
        f.parts.area === 'raw' &&
        (f.state === 'sealed' || f.state === 'uploaded') &&
        !this.isHandedOff(f.parts.segment),
    )
    const oldest =
      todo[0] === undefined ? undefined : await stat(todo[0].path).catch(() => undefined)
    this.behind = {
      count: todo.length,
      oldestMs: oldest === undefined ? 0 : Math.max(0, this.now() - oldest.mtimeMs),
    }
    for (const file of todo) {
      try {
        await this.handOff(file)
        this.doneSet.add(file.parts.segment)
        this.stats.segments++
        await this.saveCursor(files)
        this.behind = { count: this.behind.count - 1, oldestMs: this.behind.oldestMs }
        this.backoff.succeeded()
      } catch (e) {
        this.stats.failures++
        this.stats.lastError = e instanceof Error ? e.message : String(e)
        this.options.onError?.(e)
        return this.backoff.failed()
      }
    }
    return undefined
  }

  private async handOff(file: SegmentFile): Promise<void> {
    const perJob = this.options.recordsPerJob ?? 1000
    const timeoutMs = this.options.timeoutMs ?? 10_000
    const lines = createInterface({
      input: createReadStream(file.path).pipe(createGunzip()),
      crlfDelay: Infinity,
    })
    let batch: string[] = []
    let first = 0
    let seq = 0
    const send = async (): Promise<void> => {
      if (batch.length === 0) return
      const job: HandoffJob = {
        collector: this.options.collector,
        segment: file.parts.segment,
        firstSeq: first,
        lines: batch,
      }
      await withTimeout(
        'queue add',
        timeoutMs,
        this.options.queue.add([
          { id: `${this.options.collector}-${file.parts.segment}-${first}`, data: job },
        ]),
      )
      this.stats.jobs++
      this.stats.records += batch.length
      batch = []
      first = seq
    }
    for await (const line of lines) {
      if (line === '') continue
      batch.push(line)
      seq++
      if (batch.length >= perJob) await send()
    }
    await send()
  }
}
