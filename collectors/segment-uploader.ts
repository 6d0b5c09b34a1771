import { createHash } from 'node:crypto'
import { readFile, rename, stat, unlink } from 'node:fs/promises'
import { writeCollectorProgress } from '../schemas/index.js'
import type { ObjectStore } from '../schemas/ports/index.js'
import { segmentFirstReceipt } from './segment-first-receipt.js'
import { RetryBackoff } from './retry-backoff.js'
import { listSegmentFiles, segmentPath, type SegmentFile } from './segment-files.js'
import { WakeableLoop } from './wakeable-loop.js'

export interface UploaderOptions {
  readonly logDir: string
  readonly store: ObjectStore
  /**
   * Whether the hand-off to the speed layer is done with a raw segment; an uploaded segment
   * stays on local disk until it is. Absent: no hand-off, delete right after upload.
   */
  readonly handedOff?: (segment: number) => boolean
  readonly now?: () => number
  readonly retryInitialMs?: number
  readonly retryMaxMs?: number
  readonly pollMs?: number
  readonly onError?: (error: unknown) => void
  /** Reports the collector's upload progress in the store (see `CollectorProgress`). */
  readonly progress?: UploadProgressOptions
}

export interface UploadProgressOptions {
  readonly collector: string
  /** The raw log's earliest receipt not yet in a sealed file (`RawLog.unsealedSince`). */
  readonly unsealedSince: () => number
  /** Rewrites the marker at least this often while nothing changes (a liveness signal). */
  readonly everyMs?: number
}

// Records of one segment are appended in receipt order but for appends that waited for a
// segment to open (milliseconds): the marker stays this far behind to cover them.
const PROGRESS_MARGIN_MS = 1000

export interface UploaderStats {
  readonly uploaded: number
  readonly uploadedBytes: number
  readonly failures: number
  readonly lastError: string | undefined
  /** Sealed segments waiting for upload, their bytes, and the age of the oldest (ms). */
  readonly waiting: number
  readonly waitingBytes: number
  readonly oldestWaitingMs: number
  /** What the collector last reported as sealed and uploaded through (epoch ms), if it reports. */
  readonly sealedThrough: number | undefined
}

/** An upload that arrived different from what was sent. */
export class UploadVerificationError extends Error {
  override readonly name = 'UploadVerificationError'
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`upload of ${key} did not verify: ${reason}`)
  }
}

const MD5_HEX = /^[0-9a-f]{32}$/

/**
 * Copies sealed raw-log segments to the object store. Each goes to the key its path names (a
 * pure function of the segment, so a retry overwrites the same object with the same bytes),
 * is verified by reading back its size and, where the store reports one, its MD5 ETag, and
 * only then is marked uploaded; it is deleted once the hand-off no longer needs it. Failures
 * are retried with exponential backoff, in segment order, without holding up ingestion.
 */
export class SegmentUploader {
  private readonly loop: WakeableLoop
  private readonly backoff: RetryBackoff
  private readonly now: () => number
  private uploaded = 0
  private uploadedBytes = 0
  private failures = 0
  private lastError: string | undefined
  private reported: { sealedThrough: number; writtenAt: number } | undefined
  private readonly firstReceipts = new Map<string, number>()
  private waiting: { count: number; bytes: number; oldestMs: number } = {
    count: 0,
    bytes: 0,
    oldestMs: 0,
  }

  constructor(private readonly options: UploaderOptions) {
    this.now = options.now ?? Date.now
    this.backoff = new RetryBackoff(options.retryInitialMs ?? 500, options.retryMaxMs ?? 30_000)
    this.loop = new WakeableLoop(() => this.pass(), options.pollMs ?? 1000)
  }

  start(): void {
    this.loop.start()
  }

  /** Looks for work now (a segment was just sealed). */
  poke(): void {
    this.loop.poke()
  }

  stop(): Promise<void> {
    return this.loop.stop()
  }

  getStats(): UploaderStats {
    return {
      uploaded: this.uploaded,
      uploadedBytes: this.uploadedBytes,
      failures: this.failures,
      lastError: this.lastError,
      waiting: this.waiting.count,
      waitingBytes: this.waiting.bytes,
      oldestWaitingMs: this.waiting.oldestMs,
      sealedThrough: this.reported?.sealedThrough,
    }
  }

  /** Runs passes until nothing is left to upload (for shutdown and tests). */
  async drain(): Promise<void> {
    await this.loop.drain(
      () => this.waiting.count === 0,
      () => new Error(this.lastError ?? 'upload failed'),
    )
  }

  private async pass(): Promise<number | undefined> {
    // Taken before listing: whatever was received before `startedAt` is in memory (at or after
    // `unsealed`) or in a file the listings below see.
    const unsealed = this.options.progress?.unsealedSince() ?? Infinity
    const startedAt = this.now()
    const files = await listSegmentFiles(this.options.logDir)
    await this.measure(files)
    for (const file of files) {
      if (file.state === 'uploaded') await this.release(file)
      if (file.state !== 'sealed') continue
      try {
        await this.upload(file)
        this.backoff.succeeded()
      } catch (e) {
        this.failures++
        this.lastError = e instanceof Error ? e.message : String(e)
        this.options.onError?.(e)
        return this.backoff.failed()
      }
    }
    const after = await listSegmentFiles(this.options.logDir)
    await this.measure(after)
    if (this.options.progress !== undefined)
      await this.report(this.options.progress, Math.min(unsealed, startedAt), after)
    return undefined
  }

  /** Writes the progress marker when it moved, or as a heartbeat. */
  private async report(
    progress: UploadProgressOptions,
    floor: number,
    files: readonly SegmentFile[],
  ): Promise<void> {
    let through = floor
    const live = new Set<string>()
    for (const file of files) {
      if (file.parts.area !== 'raw' || file.state === 'uploaded' || file.state === 'compressing')
        continue
      live.add(file.key)
      let first = this.firstReceipts.get(file.key)
      if (first === undefined) {
        first = await segmentFirstReceipt(file)
        // An open file's first line may not be written yet: `unsealed` covers it meanwhile.
        if (first === undefined) continue
        this.firstReceipts.set(file.key, first)
      }
      through = Math.min(through, first)
    }
    for (const key of this.firstReceipts.keys()) if (!live.has(key)) this.firstReceipts.delete(key)
    through = Math.max(through - PROGRESS_MARGIN_MS, this.reported?.sealedThrough ?? -Infinity)
    const now = this.now()
    const previous = this.reported
    const everyMs = progress.everyMs ?? 5000
    if (
      previous !== undefined &&
      now - previous.writtenAt < everyMs &&
      (through === previous.sealedThrough || now - previous.writtenAt < 1000)
    )
      return
    try {
      await writeCollectorProgress(this.options.store, {
        collector: progress.collector,
        sealedThrough: through,
        writtenAt: now,
      })
      this.reported = { sealedThrough: through, writtenAt: now }
    } catch (e) {
      this.failures++
      this.lastError = e instanceof Error ? e.message : String(e)
      this.options.onError?.(e)
    }
  }

  private async measure(files: readonly SegmentFile[]): Promise<void> {
    let count = 0
    let bytes = 0
    let oldest = this.now()
    for (const f of files) {
      if (f.state !== 'sealed') continue
      const info = await stat(f.path).catch(() => undefined)
      if (info === undefined) continue
      count++
      bytes += info.size
      oldest = Math.min(oldest, info.mtimeMs)
    }
    this.waiting = { count, bytes, oldestMs: count === 0 ? 0 : this.now() - oldest }
  }

  private async upload(file: SegmentFile): Promise<void> {
    const body = await readFile(file.path)
    await this.options.store.put(file.key, body)
    const info = await this.options.store.head(file.key)
    if (info === undefined) throw new UploadVerificationError(file.key, 'not found after upload')
    if (info.size !== body.length)
      throw new UploadVerificationError(file.key, `size ${info.size}, sent ${body.length}`)
    if (info.etag !== undefined && MD5_HEX.test(info.etag)) {
      const md5 = createHash('md5').update(body).digest('hex')
      if (md5 !== info.etag)
        throw new UploadVerificationError(file.key, `ETag ${info.etag}, sent ${md5}`)
    }
    const uploaded = segmentPath(this.options.logDir, file.key, 'uploaded')
    await rename(file.path, uploaded)
    this.uploaded++
    this.uploadedBytes += body.length
    await this.release({ ...file, path: uploaded, state: 'uploaded' })
  }

  private async release(file: SegmentFile): Promise<void> {
    const needed =
      file.parts.area === 'raw' &&
      this.options.handedOff !== undefined &&
      !this.options.handedOff(file.parts.segment)
    if (!needed) await unlink(file.path).catch(() => undefined)
  }
}
