import {
  mkdir,
  open,
  readFile,
  rename,
  stat,
  truncate,
  unlink,
  writeFile,
  type FileHandle,
} from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { envelopePrefix, rawSegmentKey, type RawArea } from '../schemas/index.js'
import { BackpressureError, RawLogWriteError } from './collector-errors.js'
import { listSegmentFiles, segmentPath } from './segment-files.js'
import { sealSegment } from './segment-sealer.js'

/**
 * When appended lines are forced to disk: `batch` syncs each group of concurrent appends before
 * they are acknowledged (the default: an acknowledged record survives power loss); `interval`
 * acknowledges after the write and syncs on a timer (survives a process crash, not power loss);
 * `never` leaves syncing to the OS.
 */
export const FSYNC_POLICIES = ['batch', 'interval', 'never'] as const
export type FsyncPolicy = (typeof FSYNC_POLICIES)[number]

export interface RawLogOptions {
  readonly dir: string
  readonly collector: string
  /** A segment is sealed once it holds this many uncompressed bytes. */
  readonly maxSegmentBytes?: number
  /** …or once it has been open this long. */
  readonly maxSegmentAgeMs?: number
  readonly fsync?: FsyncPolicy
  readonly fsyncIntervalMs?: number
  /** Appends beyond this many bytes queued for writing are refused (backpressure). */
  readonly maxPendingBytes?: number
  readonly gzipLevel?: number
  readonly now?: () => number
  /** Called after each segment is sealed (the uploader and hand-off wake on it). */
  readonly onSealed?: (key: string) => void
  /** Called when sealing fails; the open file stays and recovery seals it on the next start. */
  readonly onError?: (error: unknown) => void
}

/** One record to append: its bytes are `bytes[start, end)`. */
export interface RecordSlice {
  readonly bytes: Buffer
  readonly start: number
  readonly end: number
  readonly sourceId?: string | undefined
}

interface OpenSegment {
  readonly key: string
  readonly path: string
  readonly area: RawArea
  readonly source: string
  readonly date: string
  readonly number: number
  readonly openedAt: number
  readonly file: FileHandle
  /** Bytes appended, written or not. */
  bytes: number
  /** Bytes known to be in the file (the size to truncate back to after a failed write). */
  written: number
  lines: number
  pending: Buffer[]
  pendingBytes: number
  waiters: { resolve: () => void; reject: (e: unknown) => void }[]
  flushing: Promise<void> | undefined
  /** Set when sealing starts; later appends go to a new segment. */
  sealed: boolean
  /** The earliest receipt time of its records (Infinity before the first). */
  firstReceivedAt: number
}

export interface RawLogStats {
  readonly records: number
  readonly bytes: number
  readonly segmentsSealed: number
  readonly pendingBytes: number
  readonly openSegments: number
  readonly writeErrors: number
  readonly lastWriteError: string | undefined
  readonly recoveredSegments: number
  readonly tornBytesCut: number
}

const COUNTER_FILE = 'segment-counter'
const NEWLINE = 0x0a
const LINE_END = Buffer.from('}\n')
// Checking segment ages once a second bounds how late an idle segment is sealed.
const AGE_CHECK_MS = 1000

/**
 * The collector's append-only local log. Records go into one open segment per (area, source,
 * receipt day), each line an envelope around the record's original bytes. Concurrent appends
 * to a segment are written and synced together (group commit), so a sync costs one disk flush
 * per group, not per request. Segments are sealed (gzip) by size and age; recovery on open cuts
 * a torn last line and seals what a crash left open.
 */
export class RawLog {
  private readonly open = new Map<string, OpenSegment>()
  private readonly sealing = new Set<Promise<void>>()
  /** Raw-area segments out of service but not yet a sealed file, with their first receipt. */
  private readonly sealingRaw = new Map<OpenSegment, number>()
  /** Receipt times of appends between their call and their segment (a multiset). */
  private readonly arriving = new Map<number, number>()
  private nextNumber = 0
  private pendingTotal = 0
  private stats = {
    records: 0,
    bytes: 0,
    segmentsSealed: 0,
    writeErrors: 0,
    lastWriteError: undefined as string | undefined,
    recoveredSegments: 0,
    tornBytesCut: 0,
  }
  private ageTimer: NodeJS.Timeout | undefined
  private syncTimer: NodeJS.Timeout | undefined
  private closed = false
  private readonly maxSegmentBytes: number
  private readonly maxSegmentAgeMs: number
  private readonly fsync: FsyncPolicy
  private readonly maxPendingBytes: number
  private readonly gzipLevel: number
  private readonly now: () => number

  private constructor(private readonly options: RawLogOptions) {
    this.maxSegmentBytes = options.maxSegmentBytes ?? 64 * 1024 * 1024
    this.maxSegmentAgeMs = options.maxSegmentAgeMs ?? 30_000
    this.fsync = options.fsync ?? 'batch'
    this.maxPendingBytes = options.maxPendingBytes ?? 64 * 1024 * 1024
    this.gzipLevel = options.gzipLevel ?? 3
    this.now = options.now ?? Date.now
  }

  /** Opens the log in `options.dir`, recovering whatever a crash left there first. */
  static async open(options: RawLogOptions): Promise<RawLog> {
    const log = new RawLog(options)
    await mkdir(options.dir, { recursive: true })
    await log.recover()
    log.ageTimer = setInterval(() => log.sealAged(), AGE_CHECK_MS)
    log.ageTimer.unref()
    if (log.fsync === 'interval') {
      log.syncTimer = setInterval(() => void log.syncAll(), options.fsyncIntervalMs ?? 200)
      log.syncTimer.unref()
    }
    return log
  }

  get dir(): string {
    return this.options.dir
  }

  get collector(): string {
    return this.options.collector
  }

  /** Bytes of the open segment `key` written whole so far, or undefined when it is not open. */
  writtenBytes(key: string): number | undefined {
    for (const segment of this.open.values()) if (segment.key === key) return segment.written
    return undefined
  }

  getStats(): RawLogStats {
    return { ...this.stats, pendingBytes: this.pendingTotal, openSegments: this.open.size }
  }

  private async recover(): Promise<void> {
    const dir = this.options.dir
    const counter = Number(await readFile(join(dir, COUNTER_FILE), 'utf8').catch(() => '0'))
    let next = Number.isInteger(counter) && counter >= 0 ? counter : 0
    const files = await listSegmentFiles(dir)
    const done = new Set(
      files.filter((f) => f.state === 'sealed' || f.state === 'uploaded').map((f) => f.key),
    )
    for (const f of files) {
      next = Math.max(next, f.parts.segment + 1)
      if (f.state === 'compressing') await unlink(f.path).catch(() => undefined)
    }
    for (const f of files) {
      if (f.state !== 'open') continue
      if (done.has(f.key)) {
        // The crash came after the sealed file was renamed into place.
        await unlink(f.path)
        continue
      }
      const bytes = await readFile(f.path)
      const keep = bytes.lastIndexOf(NEWLINE) + 1
      if (keep < bytes.length) {
        await truncate(f.path, keep)
        this.stats.tornBytesCut += bytes.length - keep
      }
      if (keep === 0) await unlink(f.path)
      else {
        await sealSegment(dir, f.key, this.gzipLevel)
        this.stats.recoveredSegments++
        this.options.onSealed?.(f.key)
      }
    }
    this.nextNumber = next
    await this.saveCounter()
  }

  private counterWrites: Promise<void> = Promise.resolve()

  /** Saves the counter; saves run one after another, each writing the latest value. */
  private saveCounter(): Promise<void> {
    const path = join(this.options.dir, COUNTER_FILE)
    const write = async (): Promise<void> => {
      await writeFile(`${path}.tmp`, String(this.nextNumber))
      await rename(`${path}.tmp`, path)
    }
    this.counterWrites = this.counterWrites.then(write, write)
    return this.counterWrites
  }

  private async openSegment(area: RawArea, source: string, date: string): Promise<OpenSegment> {
    const number = this.nextNumber++
    // The counter is saved before the segment exists, so a number is never used twice.
    await this.saveCounter()
    const key = rawSegmentKey(area, source, date, this.options.collector, number)
    const path = segmentPath(this.options.dir, key, 'open')
    await mkdir(dirname(path), { recursive: true })
    const file = await open(path, 'a')
    return {
      key,
      path,
      area,
      source,
      date,
      number,
      openedAt: this.now(),
      file,
      bytes: 0,
      written: 0,
      lines: 0,
      pending: [],
      pendingBytes: 0,
      waiters: [],
      flushing: undefined,
      sealed: false,
      firstReceivedAt: Infinity,
    }
  }

  private readonly opening = new Map<string, Promise<OpenSegment>>()

  private async segmentFor(area: RawArea, source: string, date: string): Promise<OpenSegment> {
    const slot = `${area}\0${source}`
    for (;;) {
      const current = this.open.get(slot)
      if (current !== undefined && current.date === date) return current
      const opening = this.opening.get(slot)
      if (opening !== undefined) {
        await opening
        continue
      }
      if (current !== undefined) this.seal(slot, current)
      const next = this.openSegment(area, source, date)
      this.opening.set(slot, next)
      try {
        this.open.set(slot, await next)
      } finally {
        this.opening.delete(slot)
      }
    }
  }

  /**
   * The earliest receipt time of any raw record this log holds in memory or in a segment not
   * yet sealed to a file (Infinity when none): with the sealed files' first lines, what bounds
   * the collector's upload progress (see `SegmentUploader`).
   */
  unsealedSince(): number {
    let floor = Infinity
    for (const t of this.arriving.keys()) if (t < floor) floor = t
    for (const segment of this.open.values())
      if (segment.area === 'raw' && segment.firstReceivedAt < floor) floor = segment.firstReceivedAt
    for (const t of this.sealingRaw.values()) if (t < floor) floor = t
    return floor
  }

  /** Throws {@link BackpressureError} when an append now would be refused. */
  assertCanAppend(): void {
    if (this.pendingTotal > this.maxPendingBytes)
      throw new BackpressureError('the raw log is behind on disk writes', 1)
  }

  /**
   * Appends records received at `receivedAt` (ms) from `source`; resolves once they are in the
   * log under the fsync policy. Throws {@link BackpressureError} without writing anything when
   * too much is already queued, and {@link RawLogWriteError} when the write failed.
   */
  async append(
    area: RawArea,
    source: string,
    receivedAt: number,
    records: readonly RecordSlice[],
  ): Promise<void> {
    if (records.length === 0) return
    if (this.closed)
      throw new RawLogWriteError(this.options.dir, { cause: new Error('log closed') })
    this.assertCanAppend()
    const iso = new Date(receivedAt).toISOString()
    // From here until the records have a segment, only this entry says they exist.
    this.arriving.set(receivedAt, (this.arriving.get(receivedAt) ?? 0) + 1)
    let segment: OpenSegment
    try {
      segment = await this.segmentFor(area, source, iso.slice(0, 10))
      // Another append may have sealed it while this one waited for it to open.
      while (segment.sealed) segment = await this.segmentFor(area, source, iso.slice(0, 10))
    } finally {
      const n = this.arriving.get(receivedAt) ?? 1
      if (n <= 1) this.arriving.delete(receivedAt)
      else this.arriving.set(receivedAt, n - 1)
    }
    if (receivedAt < segment.firstReceivedAt) segment.firstReceivedAt = receivedAt
    // The envelope prefixes go into one buffer; the records themselves are not copied: the
    // write gathers prefix, record bytes (a view of the request body) and `}\n` per line.
    const prefixes: string[] = new Array<string>(records.length)
    let prefixBytes = 0
    let size = 0
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as RecordSlice
      const prefix = envelopePrefix(
        source,
        iso,
        this.options.collector,
        segment.number,
        segment.lines + i,
        r.sourceId,
      )
      prefixes[i] = prefix
      const n = Buffer.byteLength(prefix)
      prefixBytes += n
      size += n + (r.end - r.start) + LINE_END.length
    }
    const pre = Buffer.allocUnsafe(prefixBytes)
    let at = 0
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as RecordSlice
      const n = pre.write(prefixes[i] as string, at)
      segment.pending.push(pre.subarray(at, at + n), r.bytes.subarray(r.start, r.end), LINE_END)
      at += n
    }
    segment.lines += records.length
    segment.bytes += size
    segment.pendingBytes += size
    this.pendingTotal += size
    this.stats.records += records.length
    this.stats.bytes += size
    const done = new Promise<void>((resolve, reject) => segment.waiters.push({ resolve, reject }))
    if (segment.flushing === undefined) segment.flushing = this.flush(segment)
    if (segment.bytes >= this.maxSegmentBytes) this.seal(`${area}\0${source}`, segment)
    return done
  }

  private async flush(segment: OpenSegment): Promise<void> {
    while (segment.pending.length > 0) {
      const parts = segment.pending
      const waiters = segment.waiters
      const bytes = segment.pendingBytes
      segment.pending = []
      segment.waiters = []
      segment.pendingBytes = 0
      try {
        const { bytesWritten } = await segment.file.writev(parts)
        if (bytesWritten !== bytes)
          throw new Error(`short write: ${bytesWritten} of ${bytes} bytes`)
        if (this.fsync === 'batch') await segment.file.datasync()
        segment.written += bytes
        this.pendingTotal -= bytes
        for (const w of waiters) w.resolve()
      } catch (e) {
        this.pendingTotal -= bytes
        this.stats.writeErrors++
        this.stats.lastWriteError = e instanceof Error ? e.message : String(e)
        // Nothing of a failed batch may stay: a half-written line would tear the segment.
        await segment.file.truncate(segment.written).catch(() => undefined)
        segment.bytes = segment.written
        const error = new RawLogWriteError(segment.path, { cause: e })
        for (const w of waiters) w.reject(error)
      }
    }
    segment.flushing = undefined
  }

  private async syncAll(): Promise<void> {
    for (const segment of this.open.values()) await segment.file.datasync().catch(() => undefined)
  }

  private sealAged(): void {
    const now = this.now()
    for (const [slot, segment] of this.open)
      if (now - segment.openedAt >= this.maxSegmentAgeMs) this.seal(slot, segment)
  }

  /** Takes the segment out of service; it is compressed once its queued writes are done. */
  private seal(slot: string, segment: OpenSegment): void {
    if (this.open.get(slot) === segment) this.open.delete(slot)
    if (segment.sealed) return
    segment.sealed = true
    if (segment.area === 'raw') this.sealingRaw.set(segment, segment.firstReceivedAt)
    const work = (async () => {
      while (segment.flushing !== undefined) await segment.flushing
      await segment.file.datasync()
      await segment.file.close()
      if ((await stat(segment.path)).size === 0) {
        await unlink(segment.path)
        return
      }
      await sealSegment(this.options.dir, segment.key, this.gzipLevel)
      this.stats.segmentsSealed++
      this.options.onSealed?.(segment.key)
    })()
      .catch((e: unknown) => this.options.onError?.(e))
      .finally(() => this.sealingRaw.delete(segment))
    this.sealing.add(work)
    void work.finally(() => this.sealing.delete(work))
  }

  /** Seals every open segment now (for a clean shutdown, or a test that wants them uploaded). */
  async sealAll(): Promise<void> {
    for (const [slot, segment] of [...this.open]) this.seal(slot, segment)
    while (this.sealing.size > 0) await Promise.all([...this.sealing])
  }

  /** Seals everything and stops the timers. */
  async close(): Promise<void> {
    await this.sealAll()
    this.closed = true
    clearInterval(this.ageTimer)
    clearInterval(this.syncTimer)
  }
}
