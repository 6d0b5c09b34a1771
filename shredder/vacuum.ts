import { commitMaster, MASTER_PREFIX, parsePartKey, type MasterSnapshot } from '../schemas/index.js'
import { listAll, type ObjectStore } from '../schemas/ports/index.js'

export interface VacuumReport {
  readonly snapshot: MasterSnapshot
  /** Files of parts retired by compaction, deleted after the retention period. */
  readonly retiredDeleted: number
  /** Part files no commit published (left by a killed run), deleted after the retention period. */
  readonly orphansDeleted: number
}

/**
 * Deletes part files no reader can need any more: parts retired longer ago than `retainMs`
 * (a reader's snapshot older than that is assumed finished), and unpublished parts older than
 * `retainMs` (a killed run's output, which a re-run rewrites under the same key anyway). The
 * retention keeps a run in progress elsewhere from losing the parts it is about to publish.
 */
export async function vacuumMaster(
  store: ObjectStore,
  snapshot: MasterSnapshot,
  retainMs: number,
  now: Date = new Date(),
): Promise<VacuumReport> {
  const cutoff = now.getTime() - retainMs
  const forget: string[] = []
  for (const [key, retiredAt] of snapshot.retired)
    if (retiredAt <= cutoff) {
      await store.delete(key)
      forget.push(key)
    }
  let orphansDeleted = 0
  for await (const object of listAll(store, MASTER_PREFIX)) {
    if (parsePartKey(object.key) === undefined) continue
    if (snapshot.parts.has(object.key) || snapshot.retired.has(object.key)) continue
    if (object.modified.getTime() > cutoff) continue
    await store.delete(object.key)
    orphansDeleted++
  }
  const next =
    forget.length === 0
      ? snapshot
      : await commitMaster(store, snapshot, { operation: 'vacuum', forget }, now)
  return { snapshot: next, retiredDeleted: forget.length, orphansDeleted }
}
