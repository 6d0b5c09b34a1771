/**
 * shredder/: raw segments into the Parquet master dataset. So far: the Parquet part format
 * (writer sorted by time with row-group statistics, footer reader, projected reader).
 */
export {
  writeParquetPart,
  readParquetPart,
  partInfo,
  type PartWriteOptions,
  type PartReadOptions,
  type PartInfo,
  type RowGroupInfo,
} from './parquet-part.js'
