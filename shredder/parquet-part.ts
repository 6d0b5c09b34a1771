import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow'
import { parquetMetadata } from 'hyparquet'
import * as parquet from 'parquet-wasm'
import { TARGETS, interactionsToArrow, type Interaction, type TargetDef } from '../schemas/index.js'

// Rows per row group: large enough for good compression and few footers to read, small enough
// that a time-range query skips most of a day's part by the created_at statistics.
const DEFAULT_ROW_GROUP_ROWS = 128 * 1024
const CREATED_AT = 'interaction.created_at'

export interface PartWriteOptions {
  readonly rowGroupRows?: number
  /** Key-value metadata stored in the file footer (e.g. the raw segments it came from). */
  readonly metadata?: Readonly<Record<string, string>>
  readonly targets?: readonly TargetDef[]
}

/**
 * One Parquet part of the master dataset: the interactions sorted by `interaction.created_at`
 * (so row groups cover disjoint time ranges and their statistics let readers skip them), one
 * column per target, ZSTD-compressed, with min/max statistics per row group.
 */
export function writeParquetPart(
  interactions: readonly Interaction[],
  options: PartWriteOptions = {},
): Uint8Array {
  const sorted = [...interactions].sort(
    (a, b) => (a.interaction?.created_at ?? 0) - (b.interaction?.created_at ?? 0),
  )
  const table = interactionsToArrow(sorted, options.targets ?? TARGETS)
  const props = new parquet.WriterPropertiesBuilder()
    .setCompression(parquet.Compression.ZSTD)
    .setMaxRowGroupSize(options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS)
    .setKeyValueMetadata(new Map(Object.entries(options.metadata ?? {})))
    .build()
  return parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(table, 'stream')), props)
}

/** What a reader needs to know of a row group to decide whether to read it. */
export interface RowGroupInfo {
  readonly index: number
  readonly rows: number
  /** Bounds of `interaction.created_at` (epoch ms), when the file has the statistics. */
  readonly createdAtMin?: number
  readonly createdAtMax?: number
}

export interface PartInfo {
  readonly rows: number
  readonly rowGroups: readonly RowGroupInfo[]
  readonly metadata: Readonly<Record<string, string>>
}

function epochMs(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime()
  if (typeof value === 'bigint') return Number(value)
  return typeof value === 'number' ? value : undefined
}

/** The footer of a part: rows, row groups with their created_at bounds, key-value metadata. */
export function partInfo(bytes: Uint8Array): PartInfo {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  const meta = parquetMetadata(buffer as ArrayBuffer)
  const rowGroups = meta.row_groups.map((rg, index): RowGroupInfo => {
    const column = rg.columns.find((c) => c.meta_data?.path_in_schema.join('.') === CREATED_AT)
    const stats = column?.meta_data?.statistics
    const min = epochMs(stats?.min_value ?? stats?.min)
    const max = epochMs(stats?.max_value ?? stats?.max)
    return {
      index,
      rows: Number(rg.num_rows),
      ...(min === undefined ? {} : { createdAtMin: min }),
      ...(max === undefined ? {} : { createdAtMax: max }),
    }
  })
  const metadata: Record<string, string> = {}
  for (const kv of meta.key_value_metadata ?? [])
    if (!kv.key.startsWith('ARROW:')) metadata[kv.key] = kv.value ?? ''
  return { rows: Number(meta.num_rows), rowGroups, metadata }
}

export interface PartReadOptions {
  /** Target paths to read (all columns when absent). */
  readonly columns?: readonly string[]
  /** Row groups to read (all when absent). */
  readonly rowGroups?: readonly number[]
}

/** Reads a part into an Arrow table, decoding only the asked columns and row groups. */
export async function readParquetPart(
  bytes: Uint8Array,
  options: PartReadOptions = {},
): Promise<Table> {
  // ParquetFile.read projects; parquet-wasm 0.8's readParquet() ignores `columns`.
  const file = await parquet.ParquetFile.fromFile(new Blob([bytes]))
  const read = await file.read({
    ...(options.columns === undefined ? {} : { columns: [...options.columns] }),
    ...(options.rowGroups === undefined ? {} : { rowGroups: [...options.rowGroups] }),
  })
  return tableFromIPC(read.intoIPCStream())
}
