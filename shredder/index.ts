/**
 * shredder/: raw segments into the Parquet master dataset — normalized, augmented,
 * deduplicated per (type, day) partition, published through the commit log, compacted and
 * vacuumed. The master dataset's layout, log and reader live in schemas/ (batch and replays
 * read it too).
 */
export { writeParquetPart, writeArrowPart, type PartWriteOptions } from './parquet-part-writer.js'
export {
  shred,
  SHRED_DEFAULTS,
  type ShredOptions,
  type ShredProgress,
  receivedThroughOf,
  type ShredReport,
} from './shred-run.js'
export {
  compactMaster,
  compactionBins,
  type CompactionOptions,
  type CompactionReport,
} from './compaction.js'
export { vacuumMaster, type VacuumReport } from './vacuum.js'
export {
  inflateSegment,
  parseSegment,
  readRawSegment,
  type RejectedLine,
  type SegmentRecords,
} from './raw-segment-reader.js'
export { ShredLock, ShredLockedError, SHRED_LOCK_KEY } from './shred-lock.js'
export { partId } from './part-id.js'
