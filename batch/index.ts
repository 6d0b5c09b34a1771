/**
 * batch/: batch views recomputed from the master dataset: interactions folded into every view
 * of every matching stream per (type, day) partition by workers, partials stored per
 * (partition, stream), and versions of LevelDB shards built from them (changing only the rows
 * of changed days when a previous version exists) and published atomically; `BatchViews` reads
 * the current version for serving.
 */
export {
  aggregateInteractions,
  aggregateKey,
  BucketFolds,
  type FoldedValue,
  parseAggregateKey,
  ViewAggregates,
  viewsSignature,
  type AggregateKey,
} from './view-aggregates.js'
export {
  computePartition,
  deleteStalePartials,
  partialKey,
  partitionFingerprint,
  partitionName,
  partitionsOf,
  entriesByStream,
  MissingPartialError,
  partialRows,
  mergeEntryLists,
  partialEntryKey,
  readPartialEntries,
  splitEntryKey,
  streamsWithPartials,
  PARTIALS_PREFIX,
  type Partition,
} from './partition-partials.js'
export { bucketRange, parseRowKey, shardOf, streamRange, viewRowKey } from './view-row-keys.js'
export {
  buildShard,
  type BuildOptions,
  type BuildReport,
  type VersionContents,
} from './view-build.js'
export {
  CURRENT_VIEWS_KEY,
  currentViewVersion,
  DEFAULT_SHARDS,
  downloadShard,
  readViewManifest,
  shardFileKey,
  ShardChecksumError,
  storedFileKey,
  versionManifestKey,
  VIEWS_PREFIX,
  type ShardFile,
  type ViewVersionManifest,
} from './view-manifest.js'
export {
  buildAndUploadShard,
  commitVersion,
  publishVersion,
  publishViews,
  type CommitOptions,
  type PublishOptions,
  type ShardBuildOptions,
  type ShardResult,
} from './view-publish.js'
export { deleteOldViewVersions } from './view-retention.js'
export {
  BatchViews,
  BatchViewsReadError,
  type BatchViewsHealth,
  type PinnedBatchViews,
  type SpanQuery,
  type ViewAnswer,
} from './batch-views.js'
export {
  batchTaskId,
  batchWatermark,
  planBatch,
  runBatchJob,
  runBatchTask,
  type BatchJobOptions,
  type BatchJobReport,
  type BatchTask,
  type BatchWorkerContext,
  type PartitionTask,
} from './batch-job.js'
export { readShardResult, runShardTask, shardResultKey, type ShardTask } from './shard-task.js'
