import { Table, type RecordBatch } from 'apache-arrow'
import { definitionTargets, FilterSet, type CompiledDefinition } from '../../query-dsl/index.js'
import {
  arrowToInteractions,
  dayStart,
  byRecordTime,
  matchedLine,
  type MatchedRecord,
  findTarget,
  scanMaster,
  TARGETS,
  type MasterSnapshot,
  type ScanStats,
} from '../../schemas/index.js'
import type { ObjectStore } from '../../schemas/ports/index.js'

const DAY_MS = 86_400_000
/** The columns a record of `type` can fill: the others are null throughout its partitions. */
function recordColumns(type: string): string[] {
  const own = TARGETS.filter((t) => (t.sources as readonly string[]).includes(type))
  return (own.length > 0 ? own : TARGETS).map((t) => t.path)
}

/** The runs of consecutive rows of `batch` whose id is in `wanted`, as [start, end) pairs. */
function wantedRuns(batch: RecordBatch, wanted: ReadonlyMap<string, unknown>): [number, number][] {
  const ids = batch.getChild('interaction.id')
  const runs: [number, number][] = []
  if (ids === null) return runs
  for (let row = 0; row < batch.numRows; row++) {
    const id = ids.get(row) as string | null
    if (id === null || !wanted.has(id)) continue
    const last = runs[runs.length - 1]
    if (last !== undefined && last[1] === row) last[1] = row + 1
    else runs.push([row, row + 1])
  }
  return runs
}

/** One matching interaction as a replay writes it. */
export type ReplayRecord = MatchedRecord

/** A scan stopped on request (the replay was cancelled). */
export class ReplayStopped extends Error {
  override readonly name = 'ReplayStopped'
  constructor(readonly replay: string) {
    super(`replay ${replay} was cancelled`)
  }
}

/** One replay's part of a shared scan. */
export interface ScanFilter {
  /** Names the replay's records in the result. */
  readonly key: string
  readonly definition: CompiledDefinition
  /** The replay's own `[from, to)`. */
  readonly from: number
  readonly to: number
}

export interface PartitionScan {
  readonly store: ObjectStore
  readonly snapshot: MasterSnapshot
  readonly type: string
  readonly date: string
  /** Every filter evaluated in the one pass. */
  readonly filters: readonly ScanFilter[]
  /** Checked between record batches: true stops the scan with {@link ReplayStopped}. */
  readonly stopped?: () => boolean
  /** Row counts of the filter pass (rows scanned) accumulate here. */
  readonly stats: ScanStats
  /** Named in {@link ReplayStopped}. */
  readonly replay: string
}

/**
 * One (type, day) partition's matches for several replays at once (DataSift's many filters in
 * one pass), each replay's in output order. Two passes, so selective filters read little: the
 * first reads only the columns the filters need (and the id) and evaluates them all; the
 * second, only when something matched, reads every column of the row groups between the first
 * and last match and keeps the matched rows, each encoded once whatever number of replays
 * matched it.
 */
export async function scanReplayPartition(
  scan: PartitionScan,
): Promise<Map<string, ReplayRecord[]>> {
  const set = new FilterSet()
  const byHash = new Map<string, ScanFilter[]>()
  for (const f of scan.filters) {
    const same = byHash.get(f.definition.hash)
    if (same === undefined) {
      set.add(f.definition)
      byHash.set(f.definition.hash, [f])
    } else same.push(f)
  }
  const start = dayStart(scan.date)
  const from = Math.max(Math.min(...scan.filters.map((f) => f.from)), start)
  const to = Math.min(Math.max(...scan.filters.map((f) => f.to)), start + DAY_MS)
  const filterColumns = [
    ...new Set(['interaction.id', ...scan.filters.flatMap((f) => definitionTargets(f.definition))]),
  ].filter((path) => findTarget(path) !== undefined)
  // Interaction id → the filters it matched, with their tags.
  const matched = new Map<string, { filter: ScanFilter; tags: readonly string[] }[]>()
  let first = Infinity
  let last = -Infinity
  const check = (): void => {
    if (scan.stopped?.() === true) throw new ReplayStopped(scan.replay)
  }
  const out = new Map<string, ReplayRecord[]>(scan.filters.map((f) => [f.key, []]))
  if (from >= to) return out
  for await (const batch of scanMaster(
    scan.store,
    { snapshot: scan.snapshot, types: [scan.type], from, to, columns: filterColumns },
    scan.stats,
  )) {
    check()
    for (const interaction of arrowToInteractions(new Table([batch]))) {
      const hits = set.match(interaction)
      if (hits.length === 0) continue
      const id = interaction.interaction?.id
      const at = interaction.interaction?.created_at
      if (id === undefined || at === undefined) continue
      const mine: { filter: ScanFilter; tags: readonly string[] }[] = []
      for (const hit of hits)
        for (const filter of byHash.get(hit.hash) ?? [])
          if (at >= filter.from && at < filter.to) mine.push({ filter, tags: hit.tags })
      if (mine.length === 0) continue
      matched.set(id, mine)
      if (at < first) first = at
      if (at > last) last = at
    }
  }
  if (matched.size === 0) return out
  for await (const batch of scanMaster(scan.store, {
    snapshot: scan.snapshot,
    types: [scan.type],
    from: first,
    to: last + 1,
    columns: recordColumns(scan.type),
  })) {
    check()
    // Objects only for the matched rows: the rest of the batch is never turned into records.
    for (const [start, end] of wantedRuns(batch, matched))
      for (const interaction of arrowToInteractions(new Table([batch.slice(start, end)]))) {
        const id = interaction.interaction?.id as string
        const at = interaction.interaction?.created_at ?? 0
        for (const { filter, tags } of matched.get(id) ?? [])
          out
            .get(filter.key)
            ?.push({ at, id, line: matchedLine(interaction, [filter.definition.hash], tags) })
      }
  }
  for (const records of out.values()) records.sort(byRecordTime)
  return out
}
