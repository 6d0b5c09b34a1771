import { Table, type RecordBatch } from 'apache-arrow'
import {
  commitMaster,
  partInfo,
  partKey,
  readParquetPart,
  type MasterSnapshot,
  type PartEntry,
} from '../schemas/index.js'
import { type ObjectStore } from '../schemas/ports/index.js'
import { writeArrowPart } from './parquet-part-writer.js'
import { partId } from './part-id.js'
import { partitionOf } from './partition-ids.js'

export interface CompactionOptions {
  /** Rows a compacted part aims at; parts under half of it are small. */
  readonly partRows: number
  readonly rowGroupRows?: number
  readonly now?: () => Date
  readonly onMerged?: (partition: string, inputs: number, rows: number) => void
}

export interface CompactionReport {
  readonly snapshot: MasterSnapshot
  readonly partsMerged: number
  readonly partsWritten: number
}

/** Groups of a partition's small parts, oldest first, each up to `partRows` rows. */
export function compactionBins(parts: readonly PartEntry[], partRows: number): PartEntry[][] {
  const small = parts
    .filter((p) => p.rows < partRows / 2)
    .sort((a, b) => a.createdAtMin - b.createdAtMin || (a.key < b.key ? -1 : 1))
  const bins: PartEntry[][] = []
  let bin: PartEntry[] = []
  let rows = 0
  for (const part of small) {
    if (bin.length > 0 && rows + part.rows > partRows) {
      bins.push(bin)
      bin = []
      rows = 0
    }
    bin.push(part)
    rows += part.rows
  }
  bins.push(bin)
  return bins.filter((b) => b.length > 1)
}

async function readWhole(store: ObjectStore, part: PartEntry): Promise<RecordBatch[]> {
  const bytes = await store.get(part.key)
  if (bytes === undefined) throw new Error(`published part ${part.key} is missing`)
  return (await readParquetPart(bytes)).batches
}

/**
 * Merges each partition's small parts into parts of about `partRows` rows, publishing all the
 * merges of the run in one commit that adds the new parts and retires the old ones. Readers
 * holding an older snapshot keep reading the retired files, which stay until a vacuum after
 * the retention period. Rows stay in Arrow form throughout: each input part is already sorted
 * by created_at, and they are concatenated oldest part first, so row-group statistics remain
 * tight.
 */
export async function compactMaster(
  store: ObjectStore,
  snapshot: MasterSnapshot,
  options: CompactionOptions,
): Promise<CompactionReport> {
  const byPartition = new Map<string, PartEntry[]>()
  for (const part of snapshot.parts.values()) {
    const name = partitionOf(part.type, part.date)
    const list = byPartition.get(name) ?? []
    list.push(part)
    byPartition.set(name, list)
  }
  const add: PartEntry[] = []
  const remove: string[] = []
  for (const [name, parts] of [...byPartition].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const bin of compactionBins(parts, options.partRows)) {
      const first = bin[0] as PartEntry
      const inputs = bin.map((p) => p.key)
      const batches: RecordBatch[] = []
      for (const part of bin) batches.push(...(await readWhole(store, part)))
      const bytes = writeArrowPart(new Table(batches), {
        ...(options.rowGroupRows === undefined ? {} : { rowGroupRows: options.rowGroupRows }),
        metadata: { 'sluice.operation': 'compact', 'sluice.inputs': inputs.join('\n') },
      })
      const key = partKey(first.type, first.date, partId('compact', name, inputs))
      await store.put(key, bytes)
      const info = partInfo(bytes)
      add.push({
        key,
        type: first.type,
        date: first.date,
        rows: info.rows,
        bytes: bytes.byteLength,
        createdAtMin: Math.min(...bin.map((p) => p.createdAtMin)),
        createdAtMax: Math.max(...bin.map((p) => p.createdAtMax)),
      })
      remove.push(...inputs)
      options.onMerged?.(name, bin.length, info.rows)
    }
  }
  if (add.length === 0) return { snapshot, partsMerged: 0, partsWritten: 0 }
  const next = await commitMaster(
    store,
    snapshot,
    { operation: 'compact', add, remove, inputs: remove },
    options.now?.(),
  )
  return { snapshot: next, partsMerged: remove.length, partsWritten: add.length }
}
