import { MAX_LINE_BYTES } from '../schemas/index.js'
import { BackpressureError } from './collector-errors.js'
import type { SourceDedup } from './dedup-window.js'
import type { RawLog, RecordSlice } from './raw-log.js'
import { scanSourceId } from './source-id-scanner.js'

/** What became of one batch of lines. */
export interface IngestResult {
  readonly accepted: number
  readonly duplicates: number
  readonly malformed: number
}

export interface IngestStats extends IngestResult {
  readonly batches: number
  readonly bytes: number
}

export interface IngestorOptions {
  readonly log: RawLog
  readonly dedup: SourceDedup
  /** Bytes of sealed segments waiting for upload; above `maxBacklogBytes` ingest is refused. */
  readonly backlogBytes?: () => number
  readonly maxBacklogBytes?: number
  readonly now?: () => number
}

const NEWLINE = 0x0a
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === NEWLINE
}

/**
 * Turns batches of NDJSON lines from any source into raw-log appends: each line is checked
 * for the shape of a JSON object (first and last non-blank bytes are braces, not longer than
 * MAX_LINE_BYTES; full parsing is the shredder's job), its source id found, duplicates within
 * the window dropped, and malformed lines set aside in the `rejects` area. Resolves when the
 * batch is in the log under its fsync policy, so the caller may acknowledge it.
 */
export class Ingestor {
  private totals = { accepted: 0, duplicates: 0, malformed: 0, batches: 0, bytes: 0 }
  private readonly now: () => number

  constructor(private readonly options: IngestorOptions) {
    this.now = options.now ?? Date.now
  }

  getStats(): IngestStats {
    return { ...this.totals }
  }

  async ingest(source: string, body: Buffer): Promise<IngestResult> {
    const backlog = this.options.backlogBytes?.() ?? 0
    if (backlog > (this.options.maxBacklogBytes ?? Infinity))
      throw new BackpressureError(`${backlog} bytes of raw log wait for upload`, 5)
    this.options.log.assertCanAppend()
    const now = this.now()
    const dedup = this.options.dedup.of(source)
    const inBatch = new Set<string>()
    const good: RecordSlice[] = []
    const bad: RecordSlice[] = []
    let duplicates = 0
    let at = 0
    while (at < body.length) {
      let end = body.indexOf(NEWLINE, at)
      if (end < 0) end = body.length
      let s = at
      let e = end
      at = end + 1
      while (s < e && isSpace(body[s])) s++
      while (e > s && isSpace(body[e - 1])) e--
      if (s === e) continue
      if (e - s > MAX_LINE_BYTES || body[s] !== OPEN_BRACE || body[e - 1] !== CLOSE_BRACE) {
        bad.push({ bytes: body, start: s, end: e })
        continue
      }
      const sourceId = scanSourceId(body, s, e)
      if (sourceId !== undefined) {
        if (inBatch.has(sourceId) || dedup.has(sourceId, now)) {
          duplicates++
          continue
        }
        inBatch.add(sourceId)
      }
      good.push({ bytes: body, start: s, end: e, sourceId })
    }
    await Promise.all([
      this.options.log.append('raw', source, now, good),
      this.options.log.append('rejects', source, now, bad),
    ])
    for (const key of inBatch) dedup.record(key, now)
    this.totals.accepted += good.length
    this.totals.duplicates += duplicates
    this.totals.malformed += bad.length
    this.totals.batches++
    this.totals.bytes += body.length
    return { accepted: good.length, duplicates, malformed: bad.length }
  }
}
