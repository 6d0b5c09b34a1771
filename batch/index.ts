/**
 * batch/: batch views recomputed from the master dataset. So far: folding interactions into
 * every view of every matching stream, per-(partition, stream) partials stored and reused (issue 6 in
 * progress).
 */
export {
  aggregateInteractions,
  aggregateKey,
  parseAggregateKey,
  ViewAggregates,
  type AggregateKey,
} from './view-aggregates.js'
export {
  computePartition,
  partialKey,
  partitionFingerprint,
  readPartial,
  PARTIALS_PREFIX,
} from './partition-partials.js'
export { recomputeViews, type BatchRunReport } from './batch-run.js'
export {
  BatchViews,
  CURRENT_VIEWS_KEY,
  currentViewVersion,
  deleteOldViewVersions,
  publishViews,
  readViewManifest,
  shardOf,
  ShardChecksumError,
  versionManifestKey,
  viewRowKey,
  VIEWS_PREFIX,
  type PublishOptions,
  type ShardFile,
  type ViewAnswer,
  type ViewQuery,
  type ViewRow,
  type ViewVersionManifest,
} from './view-versions.js'
export {
  batchTaskId,
  batchWatermark,
  planBatch,
  runBatchJob,
  runBatchTask,
  type BatchJobOptions,
  type BatchJobReport,
  type BatchTask,
} from './batch-job.js'
