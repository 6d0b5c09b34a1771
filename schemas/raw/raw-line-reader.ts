import type { Interaction } from '../interaction.js'
import { augment } from '../augment/augment-pipeline.js'
import { type NormalizeError } from '../normalize/normalize-error.js'
import { normalizeLine } from '../normalize/normalize-record.js'
import { isFormatChoice } from '../normalize/source-format.js'
import { EnvelopeError, readEnvelope } from './raw-envelope.js'

/**
 * How far past its receipt time a record's `created_at` may lie before it is set aside as
 * `future_timestamp`: clocks of real sources drift by seconds, not by years.
 */
export const DEFAULT_FUTURE_TOLERANCE_MS = 5 * 60_000

export interface RawLineOptions {
  /** See {@link DEFAULT_FUTURE_TOLERANCE_MS}. */
  readonly futureToleranceMs?: number
}

/** Why part of a raw line did not become an interaction. */
export interface RawLineReject {
  readonly code: string
  readonly reason: string
}

/**
 * What one raw-log line became: the augmented interactions, the parts set aside, and whether it
 * was a stream notice. `receivedAt` is the envelope's receipt time (ms; NaN when the line is no
 * envelope).
 */
export interface RawLineRecords {
  readonly interactions: Interaction[]
  readonly rejects: RawLineReject[]
  readonly notice: boolean
  readonly receivedAt: number
  /** The envelope's `received_at` text, as written (ISO-8601, so it orders as text). */
  readonly receivedAtText: string
  /** The record's original text (the whole line when it is no envelope). */
  readonly record: string
}

/**
 * The one path from a raw-log line to interactions, for the shredder and the speed layer
 * alike, so both layers see the same interactions from the same line: unwraps the envelope,
 * normalizes the record in the format it was received as (else detected), augments it, and
 * sets aside a record created later than its receipt time plus the tolerance
 * (`future_timestamp`): a source's clock cannot be trusted past the collector's, and one such
 * record must not move any time boundary.
 */
export function readRawLine(line: string, options: RawLineOptions = {}): RawLineRecords {
  let envelope
  try {
    envelope = readEnvelope(line)
  } catch (e) {
    if (!(e instanceof EnvelopeError)) throw e
    return {
      interactions: [],
      rejects: [{ code: 'not_an_envelope', reason: e.message }],
      notice: false,
      receivedAt: NaN,
      receivedAtText: '',
      record: line,
    }
  }
  const receivedAt = Date.parse(envelope.receivedAt)
  const base = {
    receivedAt,
    receivedAtText: envelope.receivedAt,
    record: envelope.record,
  }
  const outcome = normalizeLine(
    envelope.record,
    isFormatChoice(envelope.source) ? envelope.source : 'auto',
  )
  if (outcome.kind === 'notice') return { ...base, interactions: [], rejects: [], notice: true }
  if (outcome.kind === 'malformed')
    return {
      ...base,
      interactions: [],
      rejects: [{ code: outcome.error.code, reason: outcome.error.message }],
      notice: false,
    }
  const rejects: RawLineReject[] = outcome.rejected.map((e: NormalizeError) => ({
    code: e.code,
    reason: e.message,
  }))
  const latest = receivedAt + (options.futureToleranceMs ?? DEFAULT_FUTURE_TOLERANCE_MS)
  const interactions: Interaction[] = []
  for (const interaction of outcome.interactions) {
    const createdAt = interaction.interaction?.created_at
    // A line without a readable receipt time cannot be judged; it keeps its records.
    if (createdAt !== undefined && createdAt > latest) {
      rejects.push({
        code: 'future_timestamp',
        reason: `created_at ${isoOrNumber(createdAt)} is later than its receipt ${envelope.receivedAt} plus the tolerance`,
      })
      continue
    }
    interactions.push(augment(interaction))
  }
  return { ...base, interactions, rejects, notice: false }
}

function isoOrNumber(ms: number): string {
  return Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms)
}
