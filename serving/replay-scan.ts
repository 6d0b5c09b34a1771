import { Table } from 'apache-arrow'
import { definitionTargets, FilterSet, type CompiledDefinition } from '../query-dsl/index.js'
import {
  arrowToInteractions,
  dayStart,
  encodeInteraction,
  findTarget,
  scanMaster,
  TARGETS,
  type MasterSnapshot,
  type ScanStats,
} from '../schemas/index.js'
import type { ObjectStore } from '../schemas/ports/index.js'

const DAY_MS = 86_400_000
const ALL_COLUMNS = TARGETS.map((t) => t.path)

/** One matching interaction as a replay writes it. */
export interface ReplayRecord {
  /** `interaction.created_at` (epoch ms), the output's order… */
  readonly at: number
  /** …then `interaction.id`. */
  readonly id: string
  /** The record: the interaction's JSON with `sluice.streams` and `sluice.tags` added. */
  readonly line: string
}

/** A scan stopped on request (the replay was cancelled). */
export class ReplayStopped extends Error {
  override readonly name = 'ReplayStopped'
  constructor(readonly replay: string) {
    super(`replay ${replay} was cancelled`)
  }
}

export interface PartitionScan {
  readonly store: ObjectStore
  readonly snapshot: MasterSnapshot
  readonly type: string
  readonly date: string
  readonly from: number
  readonly to: number
  readonly definition: CompiledDefinition
  /** Checked between record batches: true stops the scan with {@link ReplayStopped}. */
  readonly stopped?: () => boolean
  /** Row counts of the filter pass (rows scanned) accumulate here. */
  readonly stats: ScanStats
  readonly replay: string
}

/**
 * One (type, day) partition's matches, in output order. Two passes, so a selective filter reads
 * little: the first reads only the columns the filter needs (and the id) and evaluates it; the
 * second, only when something matched, reads every column of the row groups between the first
 * and last match and keeps the matched rows.
 */
export async function scanReplayPartition(scan: PartitionScan): Promise<ReplayRecord[]> {
  const set = new FilterSet()
  set.add(scan.definition)
  const start = dayStart(scan.date)
  const from = Math.max(scan.from, start)
  const to = Math.min(scan.to, start + DAY_MS)
  const filterColumns = [
    ...new Set(['interaction.id', ...definitionTargets(scan.definition)]),
  ].filter((path) => findTarget(path) !== undefined)
  const matched = new Map<string, readonly string[]>()
  let first = Infinity
  let last = -Infinity
  const check = (): void => {
    if (scan.stopped?.() === true) throw new ReplayStopped(scan.replay)
  }
  for await (const batch of scanMaster(
    scan.store,
    { snapshot: scan.snapshot, types: [scan.type], from, to, columns: filterColumns },
    scan.stats,
  )) {
    check()
    for (const interaction of arrowToInteractions(new Table([batch]))) {
      const hit = set.match(interaction)[0]
      if (hit === undefined) continue
      const id = interaction.interaction?.id
      const at = interaction.interaction?.created_at
      if (id === undefined || at === undefined) continue
      matched.set(id, hit.tags)
      if (at < first) first = at
      if (at > last) last = at
    }
  }
  if (matched.size === 0) return []
  const out: ReplayRecord[] = []
  for await (const batch of scanMaster(scan.store, {
    snapshot: scan.snapshot,
    types: [scan.type],
    from: first,
    to: last + 1,
    columns: ALL_COLUMNS,
  })) {
    check()
    for (const interaction of arrowToInteractions(new Table([batch]))) {
      const id = interaction.interaction?.id
      const tags = id === undefined ? undefined : matched.get(id)
      if (tags === undefined) continue
      const sluice = JSON.stringify({ streams: [scan.definition.hash], tags })
      const json = encodeInteraction(interaction)
      out.push({
        at: interaction.interaction?.created_at ?? 0,
        id: id as string,
        line: `${json.slice(0, -1)},"sluice":${sluice}}`,
      })
    }
  }
  return out.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}
