import { tableFromIPC, type Table } from 'apache-arrow'
import { parquetMetadata } from 'hyparquet'
import * as parquet from 'parquet-wasm'
import type { ObjectStore } from '../ports/object-store.js'

const CREATED_AT = 'interaction.created_at'
// The footer of a full-width part with a few row groups fits here; a bigger one costs one more read.
const TAIL_BYTES = 64 * 1024

/**
 * Random access to the bytes of one Parquet part: in memory, or ranged reads of an object in
 * the store, so that a projected read fetches the footer and the asked column chunks only.
 */
export interface PartBytes {
  readonly size: number
  read(start: number, end: number): Promise<Uint8Array>
}

export function bytesOf(bytes: Uint8Array): PartBytes {
  return {
    size: bytes.byteLength,
    read: (start, end) => Promise.resolve(bytes.subarray(start, end)),
  }
}

/** A part in the object store, read by ranges; `size` comes from the commit log. */
export function storedPart(store: ObjectStore, key: string, size: number): PartBytes {
  return {
    size,
    read: async (start, end) => {
      const got = await store.getRange(key, start, end)
      if (got === undefined) throw new Error(`part ${key} is missing from the store`)
      return got
    },
  }
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

/** Parses a footer from a buffer that ends with it (the whole file or just its tail). */
function infoFromTail(tail: Uint8Array): PartInfo {
  const meta = parquetMetadata(tail)
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

/** The footer of an in-memory part: rows, row groups with their created_at bounds, metadata. */
export function partInfo(bytes: Uint8Array): PartInfo {
  return infoFromTail(bytes)
}

/**
 * An opened part: its footer parsed, and its tail kept so the Parquet engine's own footer
 * reads do not fetch it again.
 */
export interface OpenPart {
  readonly info: PartInfo
  readonly source: PartBytes
  readonly tail: Uint8Array
}

/** Reads a part's footer with one ranged read (two when the footer is larger than usual). */
export async function openPart(source: PartBytes): Promise<OpenPart> {
  let start = Math.max(0, source.size - TAIL_BYTES)
  let tail = await source.read(start, source.size)
  const footer = new DataView(tail.buffer, tail.byteOffset, tail.byteLength)
  const needed = footer.getUint32(tail.byteLength - 8, true) + 8
  if (needed > tail.byteLength && start > 0) {
    start = Math.max(0, source.size - needed)
    tail = await source.read(start, source.size)
  }
  return { info: infoFromTail(tail), source, tail }
}

export interface PartReadOptions {
  /** Target paths to read (all columns when absent). */
  readonly columns?: readonly string[]
  /** Row groups to read (all when absent). */
  readonly rowGroups?: readonly number[]
}

/**
 * The part as the Blob-like handle parquet-wasm's `ParquetFile.fromFile` reads through: it only
 * calls `size`, `slice(start, end)` and `arrayBuffer()`, so ranges come from the store on demand.
 */
function blobOf(part: OpenPart): Blob {
  const { source, tail } = part
  const tailStart = source.size - tail.byteLength
  const slice = (start: number, end: number) => ({
    arrayBuffer: async (): Promise<ArrayBuffer> => {
      const bytes =
        start >= tailStart
          ? tail.subarray(start - tailStart, end - tailStart)
          : await source.read(start, end)
      return bytes.buffer.slice(
        bytes.byteOffset,
        bytes.byteOffset + bytes.byteLength,
      ) as ArrayBuffer
    },
  })
  // Only the three members above are used by the engine; the cast names the type it declares.
  return { size: source.size, slice } as unknown as Blob
}

/** Reads an opened part into an Arrow table, fetching only the asked columns and row groups. */
export async function readPart(part: OpenPart, options: PartReadOptions = {}): Promise<Table> {
  // ParquetFile.read projects; parquet-wasm 0.8's readParquet() ignores `columns`.
  const file = await parquet.ParquetFile.fromFile(blobOf(part))
  const read = await file.read({
    ...(options.columns === undefined ? {} : { columns: [...options.columns] }),
    ...(options.rowGroups === undefined ? {} : { rowGroups: [...options.rowGroups] }),
  })
  return tableFromIPC(read.intoIPCStream())
}

/** Reads an in-memory part into an Arrow table, decoding only the asked columns and row groups. */
export async function readParquetPart(
  bytes: Uint8Array,
  options: PartReadOptions = {},
): Promise<Table> {
  return readPart(await openPart(bytesOf(bytes)), options)
}
