import { Table, tableToIPC } from 'apache-arrow'
import * as parquet from 'parquet-wasm'
import { TARGETS, interactionsToArrow, type Interaction, type TargetDef } from '../schemas/index.js'

// Rows per row group: large enough for good compression and few footers to read, small enough
// that a time-range query skips most of a day's part by the created_at statistics.
const DEFAULT_ROW_GROUP_ROWS = 128 * 1024
// Arrow batches are built this many rows at a time: measured 126k rows/s at 8k rows against
// 68k/s for one 49k-row batch, whose buffers no longer fit the caches and strain the GC.
const ARROW_BATCH_ROWS = 8192

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
  const targets = options.targets ?? TARGETS
  const batches = []
  for (let start = 0; start < sorted.length || start === 0; start += ARROW_BATCH_ROWS)
    batches.push(
      ...interactionsToArrow(sorted.slice(start, start + ARROW_BATCH_ROWS), targets).batches,
    )
  return writeArrowPart(new Table(batches), options)
}

/**
 * Writes Arrow data as a part with the master dataset's settings. Compaction uses it to merge
 * parts without turning rows back into objects.
 */
export function writeArrowPart(table: Table, options: PartWriteOptions = {}): Uint8Array {
  // Dictionary encoding off: measured 89k against 75k rows/s written at full width, and the
  // files came out smaller (ZSTD finds the repeats). Statistics per column chunk (row group)
  // are what readers skip by; page-level ones cost time and nothing reads them.
  const props = new parquet.WriterPropertiesBuilder()
    .setCompression(parquet.Compression.ZSTD)
    .setDictionaryEnabled(false)
    .setStatisticsEnabled(parquet.EnabledStatistics.Chunk)
    .setMaxRowGroupSize(options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS)
    .setKeyValueMetadata(new Map(Object.entries(options.metadata ?? {})))
    .build()
  return parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(table, 'stream')), props)
}
