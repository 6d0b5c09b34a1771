import { open, readFile, rename, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { createGunzip } from 'node:zlib'
import type { HandoffJob } from '../schemas/index.js'
import type { JobQueue } from '../schemas/ports/index.js'
import { RetryBackoff } from './retry-backoff.js'
import { listSegmentFiles, type SegmentFile } from './segment-files.js'
import { WakeableLoop } from './wakeable-loop.js'

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
  /**
   * Bytes of an open segment known to be written whole (the log's own count, when the log runs
   * in this process): tailing stops there, so a batch whose write failed and was cut back is
   * never handed off.
   */
  readonly writtenBytes?: (key: string) => number | undefined
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
// How much of an open segment one read takes; bounds the hand-off's memory when catching up.
const TAIL_CHUNK_BYTES = 4 * 1024 * 1024

/** How far into a segment the hand-off is: lines sent, and their bytes in the open file. */
interface Progress {
  lines: number
  bytes: number
}

interface Cursor {
  /** Every segment number below this is handed off (or never needed it). */
  below: number
  /** Handed-off numbers at or above `below`. */
  done: number[]
  /** Segments handed off in part (tailed while open), by number. */
  partial: Record<string, Progress>
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
  private cursor: Cursor = { below: 0, done: [], partial: {} }
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
    this.loop = new WakeableLoop(() => this.pass(), options.pollMs ?? 250)
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
      const parsed = JSON.parse(text) as Partial<Cursor> & { below: number; done: number[] }
      this.cursor = { below: parsed.below, done: [...parsed.done], partial: parsed.partial ?? {} }
      this.doneSet = new Set(parsed.done)
    }
    this.loaded = true
  }

  private async saveCursor(files: readonly SegmentFile[]): Promise<void> {
    // `below` rises to the first segment not handed off, and never falls: a handed-off
    // segment's file stays on disk until it is also uploaded, and once `done` has been compacted
    // past it, counting it as pending again would hand it off a second time. A segment with
    // lines already tailed counts as pending even when this listing missed its file (readdir may
    // miss a file renamed while it runs, open → sealed).
    const pending = [
      ...files.filter((f) => f.parts.area === 'raw').map((f) => f.parts.segment),
      ...Object.keys(this.cursor.partial).map(Number),
    ].filter((n) => !this.isHandedOff(n))
    const firstOpen = pending.length === 0 ? undefined : Math.min(...pending)
    const highest = Math.max(this.cursor.below - 1, ...this.doneSet)
    const below = Math.max(this.cursor.below, firstOpen ?? highest + 1)
    const done = [...this.doneSet].filter((n) => n >= below).sort((a, b) => a - b)
    const partial: Record<string, Progress> = {}
    for (const [n, p] of Object.entries(this.cursor.partial))
      if (!this.doneSet.has(Number(n))) partial[n] = p
    this.cursor = { below, done, partial }
    this.doneSet = new Set(done)
    const path = join(this.options.logDir, CURSOR_FILE)
    await writeFile(`${path}.tmp`, JSON.stringify(this.cursor))
    await rename(`${path}.tmp`, path)
  }

  private async pass(): Promise<number | undefined> {
    await this.loadCursor()
    const files = await listSegmentFiles(this.options.logDir)
    const raw = files.filter(
      (f) =>
        f.parts.area === 'raw' && f.state !== 'compressing' && !this.isHandedOff(f.parts.segment),
    )
    const sealed = raw.filter((f) => f.state !== 'open')
    const oldest =
      sealed[0] === undefined ? undefined : await stat(sealed[0].path).catch(() => undefined)
    this.behind = {
      count: sealed.length,
      oldestMs: oldest === undefined ? 0 : Math.max(0, this.now() - oldest.mtimeMs),
    }
    for (const file of raw) {
      try {
        if (file.state === 'open') {
          await this.tail(file, files)
          continue
        }
        await this.handOffSealed(file, files)
        this.doneSet.add(file.parts.segment)
        delete this.cursor.partial[String(file.parts.segment)]
        this.stats.segments++
        await this.saveCursor(files)
        this.behind = { count: this.behind.count - 1, oldestMs: this.behind.oldestMs }
        this.backoff.succeeded()
      } catch (e) {
        // Sealed between listing and reading: the next pass finds it under its new name.
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
        this.stats.failures++
        this.stats.lastError = e instanceof Error ? e.message : String(e)
        this.options.onError?.(e)
        return this.backoff.failed()
      }
    }
    return undefined
  }

  /** Adds `lines` (from line `first` of the segment) in jobs; saves progress after each. */
  private async send(
    file: SegmentFile,
    files: readonly SegmentFile[],
    lines: readonly string[],
    first: number,
    bytesAfter: (sent: number) => number,
  ): Promise<void> {
    const perJob = this.options.recordsPerJob ?? 1000
    const timeoutMs = this.options.timeoutMs ?? 10_000
    const n = file.parts.segment
    for (let at = 0; at < lines.length; at += perJob) {
      const chunk = lines.slice(at, at + perJob)
      const job: HandoffJob = {
        collector: this.options.collector,
        segment: n,
        firstSeq: first + at,
        lines: chunk,
      }
      // Named by first line and length: the same chunk added again (a retry, a restart) is
      // recognised by the queue; a chunk cut differently after a crash is a new job, and the
      // speed layer de-duplicates its records by interaction id.
      await withTimeout(
        'queue add',
        timeoutMs,
        this.options.queue.add([
          { id: `${this.options.collector}-${n}-${first + at}-${chunk.length}`, data: job },
        ]),
      )
      this.stats.jobs++
      this.stats.records += chunk.length
      this.cursor.partial[String(n)] = {
        lines: first + at + chunk.length,
        bytes: bytesAfter(at + chunk.length),
      }
      await this.saveCursor(files)
    }
  }

  /**
   * Hands off the complete lines appended to an open segment since the last pass, so the speed
   * layer sees records within a poll interval of their arrival instead of at sealing.
   */
  private async tail(file: SegmentFile, files: readonly SegmentFile[]): Promise<void> {
    const progress = this.cursor.partial[String(file.parts.segment)] ?? { lines: 0, bytes: 0 }
    const handle = await open(file.path, 'r')
    try {
      let offset = progress.bytes
      let line = progress.lines
      for (;;) {
        const { size: onDisk } = await handle.stat()
        const size = Math.min(onDisk, this.options.writtenBytes?.(file.key) ?? onDisk)
        if (size <= offset) return
        const length = Math.min(size - offset, TAIL_CHUNK_BYTES)
        const buffer = Buffer.allocUnsafe(length)
        const { bytesRead } = await handle.read(buffer, 0, length, offset)
        const end = buffer.lastIndexOf(0x0a, bytesRead - 1) + 1
        // A line longer than a chunk is left for the sealed file.
        if (end === 0) return
        const lines: string[] = []
        const ends: number[] = []
        for (let at = 0; at < end;) {
          const nl = buffer.indexOf(0x0a, at)
          lines.push(buffer.toString('utf8', at, nl))
          ends.push(nl + 1)
          at = nl + 1
        }
        const base = offset
        await this.send(file, files, lines, line, (sent) => base + (ends[sent - 1] ?? 0))
        offset += end
        line += lines.length
      }
    } finally {
      await handle.close()
    }
  }

  /** Hands off the rest of a sealed segment, after the lines tailed while it was open. */
  private async handOffSealed(file: SegmentFile, files: readonly SegmentFile[]): Promise<void> {
    const perJob = this.options.recordsPerJob ?? 1000
    const skip = this.cursor.partial[String(file.parts.segment)]?.lines ?? 0
    // Opened first: the uploader may rename the file meanwhile (an open descriptor survives
    // that), and a missing file must fail here rather than leave a gunzip stream waiting.
    const handle = await open(file.path, 'r')
    const gunzip = createGunzip()
    const raw = handle.createReadStream()
    raw.on('error', (e) => gunzip.destroy(e))
    const lines = createInterface({ input: raw.pipe(gunzip), crlfDelay: Infinity })
    let batch: string[] = []
    let seq = 0
    let first = skip
    for await (const line of lines) {
      if (line === '') continue
      if (seq++ < skip) continue
      batch.push(line)
      if (batch.length >= perJob) {
        await this.send(file, files, batch, first, () => 0)
        first += batch.length
        batch = []
      }
    }
    await this.send(file, files, batch, first, () => 0)
  }
}
