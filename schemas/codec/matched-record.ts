import type { Interaction } from '../interaction.js'
import { encodeInteraction } from './interaction-json.js'

/**
 * One interaction as delivered to a user who asked for a stream's matches (a replay, a
 * recording): its JSON with `sluice.streams` and `sluice.tags` added, and its sort key.
 */
export interface MatchedRecord {
  /** `interaction.created_at` (epoch ms), the output's order… */
  readonly at: number
  /** …then `interaction.id`. */
  readonly id: string
  /** The record: the interaction's JSON with `sluice.streams` and `sluice.tags` added. */
  readonly line: string
}

/** The record line of `interaction` matched by `streams` with `tags`. */
export function matchedLine(
  interaction: Interaction,
  streams: readonly string[],
  tags: readonly string[],
): string {
  return `${encodeInteraction(interaction).slice(0, -1)},"sluice":${JSON.stringify({ streams, tags })}}`
}

// Intermediate files (a replay task's output, a recording's log) carry each record's sort key
// in front of it, so they merge in order without parsing the records.
export const sortableLine = (r: MatchedRecord): string => `${r.at}\t${r.id}\t${r.line}`

export function parseSortableLine(line: string): MatchedRecord {
  const a = line.indexOf('\t')
  const b = line.indexOf('\t', a + 1)
  return { at: Number(line.slice(0, a)), id: line.slice(a + 1, b), line: line.slice(b + 1) }
}

/** Chronological order, then by id. */
export const byRecordTime = (a: MatchedRecord, b: MatchedRecord): number =>
  a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
