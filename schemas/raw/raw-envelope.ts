import { isJsonObject, type JsonObject } from '../normalize/json-value.js'

/**
 * The envelope every raw-log line carries: where and when the record arrived, and the record
 * exactly as received. The record comes last, so a writer emits a fixed prefix, the original
 * bytes and `}` without re-encoding the record, and a reader can recover the original text
 * even if it is not valid JSON (see {@link readEnvelope}).
 *
 * A line looks like:
 * `{"source":"twitter-v1","received_at":"2026-11-22T20:53:32.123Z","collector":"c1","segment":7,"seq":42,"id":"1222944438181335040","record":{…}}`
 */
export interface RawEnvelope {
  /** The source format the record was posted as (`twitter-v1`, `reddit`, …). */
  readonly source: string
  /** ISO-8601 receipt time at the collector. */
  readonly receivedAt: string
  readonly collector: string
  /** The raw-log segment the line is in, and its 0-based line number there. */
  readonly segment: number
  readonly seq: number
  /** The record's own id as found by the collector, when it found one. */
  readonly sourceId?: string
  /** The record's original text. */
  readonly record: string
}

/** The bytes before the record: everything up to and including `"record":`. */
export function envelopePrefix(
  source: string,
  receivedAt: string,
  collector: string,
  segment: number,
  seq: number,
  sourceId: string | undefined,
): string {
  const id = sourceId === undefined ? '' : `,"id":${JSON.stringify(sourceId)}`
  return `{"source":${JSON.stringify(source)},"received_at":"${receivedAt}","collector":${JSON.stringify(collector)},"segment":${segment},"seq":${seq}${id},"record":`
}

export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError'
  constructor(reason: string) {
    super(`not a raw-log envelope: ${reason}`)
  }
}

const RECORD_KEY = ',"record":'

/**
 * Reads one raw-log line. The header fields are parsed as JSON; the record is returned as the
 * original text (found after `"record":` up to the final `}`), so a record that was not valid
 * JSON still comes back intact for the reader to reject. Throws {@link EnvelopeError} when the
 * line is not an envelope at all.
 */
export function readEnvelope(line: string): RawEnvelope {
  const at = line.indexOf(RECORD_KEY)
  const end = line.trimEnd()
  if (at < 0 || !end.endsWith('}')) throw new EnvelopeError('no "record" field at the end')
  let header: unknown
  try {
    header = JSON.parse(`${line.slice(0, at)}}`)
  } catch {
    throw new EnvelopeError('the header is not JSON')
  }
  if (!isJsonObject(header)) throw new EnvelopeError('the header is not an object')
  const h: JsonObject = header
  const { source, received_at: receivedAt, collector, segment, seq, id } = h
  if (
    typeof source !== 'string' ||
    typeof receivedAt !== 'string' ||
    typeof collector !== 'string' ||
    typeof segment !== 'number' ||
    typeof seq !== 'number'
  )
    throw new EnvelopeError('source, received_at, collector, segment and seq are required')
  return {
    source,
    receivedAt,
    collector,
    segment,
    seq,
    ...(typeof id === 'string' ? { sourceId: id } : {}),
    record: end.slice(at + RECORD_KEY.length, -1),
  }
}
