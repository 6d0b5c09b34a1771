import { tableFromIPC, type Table } from 'apache-arrow'
import { parquetMetadata } from 'hyparquet'
import * as parquet from 'parquet-wasm'

const CREATED_AT = 'interaction.created_at'

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
