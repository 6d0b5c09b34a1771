import { createHash } from 'node:crypto'

/**
 * A part's id, derived from what it was made of: the same inputs always give the same key, so
 * a run redone after a crash overwrites its own unpublished output instead of adding to it.
 *
 * @example partId('shred', 'twitter/2026-11-22', ['raw/…/c1-7.ndjson.gz'])
 */
export function partId(operation: string, partition: string, inputs: readonly string[]): string {
  const hash = createHash('sha256').update(`${operation}\n${partition}\n`)
  for (const input of [...inputs].sort()) hash.update(`${input}\n`)
  return hash.digest('hex').slice(0, 24)
}
