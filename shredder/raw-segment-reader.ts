import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import {
  augment,
  EnvelopeError,
  isFormatChoice,
  normalizeLine,
  readEnvelope,
  type Interaction,
} from '../schemas/index.js'

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
 * Reads the text of a raw-log segment: unwraps each line's envelope, normalizes the record in
 * the format it was received as, and augments it. A line that cannot be read is rejected with
 * its reason and the rest of the segment goes on.
 */
export function parseSegment(text: string): SegmentRecords {
  const interactions: Interaction[] = []
  const rejects: RejectedLine[] = []
  let lines = 0
  let notices = 0
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
    let envelope
    try {
      envelope = readEnvelope(line)
    } catch (e) {
      if (!(e instanceof EnvelopeError)) throw e
      rejects.push({ line: lineNo, code: 'not_an_envelope', reason: e.message, text: line })
      continue
    }
    const outcome = normalizeLine(
      envelope.record,
      isFormatChoice(envelope.source) ? envelope.source : 'auto',
    )
    if (outcome.kind === 'notice') notices++
    else if (outcome.kind === 'malformed')
      rejects.push({
        line: lineNo,
        code: outcome.error.code,
        reason: outcome.error.message,
        text: envelope.record,
      })
    else {
      for (const interaction of outcome.interactions) interactions.push(augment(interaction))
      for (const error of outcome.rejected)
        rejects.push({
          line: lineNo,
          code: error.code,
          reason: error.message,
          text: envelope.record,
        })
    }
  }
  return { interactions, rejects, lines, notices, normalizeMs: performance.now() - started }
}
