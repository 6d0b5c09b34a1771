import type { RecordBatch } from 'apache-arrow'
import type { ObjectStore } from '../ports/object-store.js'
import { readMasterSnapshot, type MasterSnapshot, type PartEntry } from './master-log.js'
import { openPart, readPart, storedPart } from './parquet-part-reader.js'

const CREATED_AT = 'interaction.created_at'

/** What a consumer of the master dataset reads. */
export interface MasterScan {
  /** Start of the time range (epoch ms, inclusive); unbounded when absent. */
  readonly from?: number
  /** End of the time range (epoch ms, exclusive); unbounded when absent. */
  readonly to?: number
  /** Interaction types (partition `type=`); all when absent. */
  readonly types?: readonly string[]
  /**
   * Target paths to read. `interaction.created_at` is always read as well, since the range is
   * applied to it.
   */
  readonly columns: readonly string[]
  /** The snapshot to read; the latest published one when absent. */
  readonly snapshot?: MasterSnapshot
}

/** What a scan read and skipped, for benchmarks, progress and tests. */
export interface ScanStats {
  partsTotal: number
  partsRead: number
  rowGroupsTotal: number
  rowGroupsRead: number
  /** Rows decoded from the row groups read. */
  rowsDecoded: number
  /** Rows yielded (inside the range). */
  rowsYielded: number
  bytesFetched: number
}

export function emptyScanStats(): ScanStats {
  return {
    partsTotal: 0,
    partsRead: 0,
    rowGroupsTotal: 0,
    rowGroupsRead: 0,
    rowsDecoded: 0,
    rowsYielded: 0,
    bytesFetched: 0,
  }
}

/** A published part could not be read back. */
export class MasterDataError extends Error {
  override readonly name = 'MasterDataError'
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`master part ${key}: ${reason}`)
  }
}

function overlaps(min: number, max: number, from: number, to: number): boolean {
  return max >= from && min < to
}

/** The parts of `snapshot` a scan must open, oldest data first. */
export function partsFor(snapshot: MasterSnapshot, scan: MasterScan): PartEntry[] {
  const from = scan.from ?? -Infinity
  const to = scan.to ?? Infinity
  const types = scan.types === undefined ? undefined : new Set(scan.types)
  return [...snapshot.parts.values()]
    .filter(
      (p) =>
        (types === undefined || types.has(p.type)) &&
        overlaps(p.createdAtMin, p.createdAtMax, from, to),
    )
    .sort((a, b) => a.createdAtMin - b.createdAtMin || (a.key < b.key ? -1 : 1))
}

/** Slices of `batch` whose created_at lies in `[from, to)`: one slice when the rows are sorted. */
function* inRange(batch: RecordBatch, from: number, to: number): Generator<RecordBatch> {
  const times = batch.getChild(CREATED_AT)
  if (times === null) return
  let start = -1
  for (let row = 0; row < batch.numRows; row++) {
    const t = times.get(row) as number | bigint | null
    const ms = typeof t === 'bigint' ? Number(t) : t
    const inside = ms !== null && ms >= from && ms < to
    if (inside && start < 0) start = row
    else if (!inside && start >= 0) {
      yield batch.slice(start, row)
      start = -1
    }
  }
  if (start >= 0) yield start === 0 ? batch : batch.slice(start, batch.numRows)
}

/**
 * Reads the master dataset as Apache Arrow record batches: only the parts of the asked types
 * whose time bounds meet the range (from the commit log, without opening them), only the row
 * groups whose created_at statistics meet it, only the asked columns, and only the rows inside
 * the range. A part is read by ranges: its footer, then the asked columns of the asked row
 * groups, so a two-column scan fetches a fraction of the file.
 *
 * @example
 *   for await (const batch of scanMaster(store, { from, to, types: ['twitter'], columns: ['interaction.id'] }))
 *     count += batch.numRows
 */
export async function* scanMaster(
  store: ObjectStore,
  scan: MasterScan,
  stats: ScanStats = emptyScanStats(),
): AsyncGenerator<RecordBatch> {
  const snapshot = scan.snapshot ?? (await readMasterSnapshot(store))
  const parts = partsFor(snapshot, scan)
  const from = scan.from ?? -Infinity
  const to = scan.to ?? Infinity
  const columns = [...new Set([...scan.columns, CREATED_AT])]
  stats.partsTotal += parts.length
  for (const part of parts) {
    let opened
    try {
      const stored = storedPart(store, part.key, part.bytes)
      opened = await openPart({
        size: stored.size,
        read: async (start, end) => {
          const bytes = await stored.read(start, end)
          stats.bytesFetched += bytes.byteLength
          return bytes
        },
      })
    } catch (e) {
      throw new MasterDataError(part.key, e instanceof Error ? e.message : String(e))
    }
    const { info } = opened
    stats.partsRead++
    stats.rowGroupsTotal += info.rowGroups.length
    const groups = info.rowGroups.filter((g) =>
      overlaps(g.createdAtMin ?? -Infinity, g.createdAtMax ?? Infinity, from, to),
    )
    if (groups.length === 0) continue
    stats.rowGroupsRead += groups.length
    const whole = groups.every(
      (g) => (g.createdAtMin ?? -Infinity) >= from && (g.createdAtMax ?? Infinity) < to,
    )
    const table = await readPart(opened, { columns, rowGroups: groups.map((g) => g.index) })
    stats.rowsDecoded += table.numRows
    for (const batch of table.batches) {
      if (whole) {
        stats.rowsYielded += batch.numRows
        yield batch
        continue
      }
      for (const slice of inRange(batch, from, to)) {
        stats.rowsYielded += slice.numRows
        yield slice
      }
    }
  }
}
