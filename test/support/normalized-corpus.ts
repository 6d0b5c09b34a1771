import {
  augment,
  normalizeLine,
  type Interaction,
  type NormalizeOutcome,
} from '../../schemas/index.js'
import { dataLines } from './shared-data.js'

/** One record of the corpus and what it became. */
export interface CorpusRecord {
  readonly file: string
  readonly line: number
  readonly raw: string
  readonly outcome: NormalizeOutcome
}

const cache = new Map<string, readonly CorpusRecord[]>()

/** Normalizes (and augments) every line of a corpus file once per test process. */
export function normalizedFile(file: string): readonly CorpusRecord[] {
  const hit = cache.get(file)
  if (hit !== undefined) return hit
  const out = dataLines(file).map((raw, i) => {
    const outcome = normalizeLine(raw, 'auto')
    if (outcome.kind === 'interactions') for (const it of outcome.interactions) augment(it)
    return { file, line: i + 1, raw, outcome }
  })
  cache.set(file, out)
  return out
}

/** Every interaction a file yields. */
export function interactionsOf(file: string): readonly Interaction[] {
  return normalizedFile(file).flatMap((r) =>
    r.outcome.kind === 'interactions' ? r.outcome.interactions : [],
  )
}

/** The raw JSON of the record whose `key` field equals `value` (first match). */
export function rawRecord(
  file: string,
  predicate: (record: Record<string, unknown>) => boolean,
): Record<string, unknown> {
  for (const line of dataLines(file)) {
    const r = JSON.parse(line) as Record<string, unknown>
    if (predicate(r)) return r
  }
  throw new Error(`no record in ${file} matches`)
}
