import { Table } from 'apache-arrow'
import { definitionTargets, FilterSet, type CompiledDefinition } from '../../query-dsl/index.js'
import {
  arrowToInteractions,
  dayStart,
  findTarget,
  readMasterSnapshot,
  scanMaster,
} from '../../schemas/index.js'
import type { ObjectStore } from '../../schemas/ports/index.js'
import { replayPartitions, type ReplayRequest } from './replay-job.js'

const DAY_MS = 86_400_000
// A two-sided 95% interval.
const Z = 1.96

/** What a replay would read and roughly find, before it is made. */
export interface ReplayEstimate {
  readonly partitions: number
  /** Rows of the partitions' parts: what the replay scans at most. */
  readonly rowsToScan: number
  /** Rows of those inside `[from, to)`, assuming rows spread evenly over each day. */
  readonly rowsInRange: number
  readonly sampledRows: number
  readonly sampledMatches: number
  /** Matches expected, and a 95% interval (Wilson's, on the sampled match rate). */
  readonly matches: number
  readonly matchesLow: number
  readonly matchesHigh: number
}

/** Wilson score interval of a proportion of `hits` in `n`. */
function wilson(hits: number, n: number): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 }
  const p = hits / n
  const denominator = 1 + (Z * Z) / n
  const centre = p + (Z * Z) / (2 * n)
  const spread = Z * Math.sqrt((p * (1 - p)) / n + (Z * Z) / (4 * n * n))
  return {
    low: Math.max(0, (centre - spread) / denominator),
    high: Math.min(1, (centre + spread) / denominator),
  }
}

/**
 * Estimates a replay from the master dataset's commit log (partitions and rows, without
 * opening a file) and a sample: the first rows (up to `sampleRows` in all) of up to
 * `samplePartitions` partitions spread evenly over the range, evaluated with the filter.
 */
export async function estimateReplay(
  store: ObjectStore,
  request: Pick<ReplayRequest, 'from' | 'to' | 'types'>,
  definition: CompiledDefinition,
  options: { sampleRows?: number; samplePartitions?: number } = {},
): Promise<ReplayEstimate> {
  const snapshot = await readMasterSnapshot(store)
  const partitions = replayPartitions(snapshot, request)
  const rowsToScan = partitions.reduce((n, p) => n + p.rows, 0)
  let rowsInRange = 0
  for (const p of partitions) {
    const start = dayStart(p.date)
    const covered = Math.min(request.to, start + DAY_MS) - Math.max(request.from, start)
    rowsInRange += (p.rows * Math.max(0, covered)) / DAY_MS
  }
  const wanted = Math.min(partitions.length, options.samplePartitions ?? 24)
  const perPartition = Math.ceil((options.sampleRows ?? 20_000) / Math.max(1, wanted))
  const set = new FilterSet()
  set.add(definition)
  const columns = [...new Set(['interaction.id', ...definitionTargets(definition)])].filter(
    (path) => findTarget(path) !== undefined,
  )
  let sampledRows = 0
  let sampledMatches = 0
  for (let n = 0; n < wanted; n++) {
    const p = partitions[Math.floor((n * partitions.length) / wanted)]
    if (p === undefined) continue
    const start = dayStart(p.date)
    let taken = 0
    for await (const batch of scanMaster(store, {
      snapshot,
      types: [p.type],
      from: Math.max(request.from, start),
      to: Math.min(request.to, start + DAY_MS),
      columns,
    })) {
      for (const interaction of arrowToInteractions(
        new Table([batch.slice(0, perPartition - taken)]),
      )) {
        taken++
        if (set.match(interaction).length > 0) sampledMatches++
      }
      if (taken >= perPartition) break
    }
    sampledRows += taken
  }
  const rate = sampledRows === 0 ? 0 : sampledMatches / sampledRows
  const { low, high } = wilson(sampledMatches, sampledRows)
  return {
    partitions: partitions.length,
    rowsToScan,
    rowsInRange: Math.round(rowsInRange),
    sampledRows,
    sampledMatches,
    matches: Math.round(rate * rowsInRange),
    matchesLow: Math.floor(low * rowsInRange),
    matchesHigh: Math.ceil(high * rowsInRange),
  }
}
