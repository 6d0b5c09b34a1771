import type { CompiledDefinition } from '../query-dsl/index.js'
import { readMasterSnapshot, type MasterSnapshot, type View } from '../schemas/index.js'
import type { ObjectStore } from '../schemas/ports/index.js'
import { computePartition, partitionFingerprint, readPartial } from './partition-partials.js'
import { ViewAggregates } from './view-aggregates.js'

/** What a batch run computed and what it reused. */
export interface BatchRunReport {
  readonly masterVersion: number
  readonly partitions: number
  /** Partitions read from the master dataset this run (for at least one stream). */
  readonly partitionsComputed: number
  readonly partialsReused: number
  readonly partialsComputed: number
}

/**
 * Recomputes every view of every stream from the master dataset, one (type, day) partition at a
 * time, reusing each stored (partition, stream) partial whose partition has not changed since:
 * a late record recomputes its partition, a new stream computes only that stream.
 */
export async function recomputeViews(
  store: ObjectStore,
  streams: readonly CompiledDefinition[],
  views: readonly View[],
  snapshot?: MasterSnapshot,
): Promise<{ aggregates: ViewAggregates; report: BatchRunReport }> {
  const master = snapshot ?? (await readMasterSnapshot(store))
  const partitions = [
    ...new Set([...master.parts.values()].map((p) => `${p.type}/${p.date}`)),
  ].sort()
  const aggregates = new ViewAggregates(views)
  let partitionsComputed = 0
  let partialsReused = 0
  let partialsComputed = 0
  for (const partition of partitions) {
    const [type, date] = partition.split('/') as [string, string]
    const fingerprint = partitionFingerprint(master, type, date, views)
    const missing: CompiledDefinition[] = []
    for (const stream of streams) {
      const partial = await readPartial(store, views, type, date, stream.hash, fingerprint)
      if (partial === undefined) missing.push(stream)
      else {
        aggregates.mergeFrom(partial, { adopt: true })
        partialsReused++
      }
    }
    if (missing.length === 0) continue
    aggregates.mergeFrom(await computePartition(store, master, type, date, missing, views), {
      adopt: true,
    })
    partitionsComputed++
    partialsComputed += missing.length
  }
  return {
    aggregates,
    report: {
      masterVersion: master.version,
      partitions: partitions.length,
      partitionsComputed,
      partialsReused,
      partialsComputed,
    },
  }
}
