import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import { readRawLine, type Interaction, type RawLineOptions } from '../schemas/index.js'

const gunzipAsync = promisify(gunzip)
const INFLATE_CHUNK_BYTES = 8 * 1024 * 1024

/** A line of a raw segment the shredder could not turn into interactions, with the reason. */
export interface RejectedLine {
  /** 1-based line number in the segment. */
  readonly line: number
  readonly code: string
  readonly reason: string
  readonly text: string
}

/** What one raw segment held. */
export interface SegmentRecords {
  readonly interactions: Interaction[]
  readonly rejects: RejectedLine[]
  readonly lines: number
  /** Stream notices (deletes, limits, keep-alives): not interactions, not errors. */
  readonly notices: number
  /** Interactions set aside as created too far after their receipt (also among `rejects`). */
  readonly futures: number
  /** The latest receipt time of its lines (ms; -Infinity when none could be read). */
  readonly receivedMax: number
  /** Milliseconds spent normalizing and augmenting (the rest is decompression and parsing). */
  readonly normalizeMs: number
}

/**
 * The text of a gzip raw-log segment. Decompression runs on libuv's thread pool, so a caller
 * can inflate the next segments while it normalizes this one.
 */
export async function inflateSegment(gzipped: Uint8Array): Promise<string> {
  // Large output chunks: async zlib hands each chunk back to the main thread before starting
  // the next, so with the default 16 KB it stalls whenever the main thread is busy normalizing.
  return (await gunzipAsync(gzipped, { chunkSize: INFLATE_CHUNK_BYTES })).toString('utf8')
}

/** Reads a gzip raw-log segment: {@link inflateSegment}, then {@link parseSegment}. */
export async function readRawSegment(gzipped: Uint8Array): Promise<SegmentRecords> {
  return parseSegment(await inflateSegment(gzipped))
}

/**
 * Reads the text of a raw-log segment line by line through {@link readRawLine} (the speed
 * layer reads hand-off lines the same way). A line that cannot be read is rejected with its
 * reason and the rest of the segment goes on.
 */
export function parseSegment(text: string, options: RawLineOptions = {}): SegmentRecords {
  const interactions: Interaction[] = []
  const rejects: RejectedLine[] = []
  let lines = 0
  let notices = 0
  let futures = 0
  let receivedMax = ''
  const started = performance.now()
  let lineNo = 0
  let at = 0
  while (at < text.length) {
    let end = text.indexOf('\n', at)
    if (end < 0) end = text.length
    const line = text.slice(at, end)
    at = end + 1
    lineNo++
    if (line === '') continue
    lines++
    const read = readRawLine(line, options)
    if (read.receivedAtText > receivedMax) receivedMax = read.receivedAtText
    if (read.notice) notices++
    for (const interaction of read.interactions) interactions.push(interaction)
    for (const reject of read.rejects) {
      if (reject.code === 'future_timestamp') futures++
      rejects.push({ line: lineNo, code: reject.code, reason: reject.reason, text: read.record })
    }
  }
  return {
    interactions,
    rejects,
    lines,
    notices,
    futures,
    receivedMax: receivedMax === '' ? -Infinity : Date.parse(receivedMax),
    normalizeMs: performance.now() - started,
  }
}
