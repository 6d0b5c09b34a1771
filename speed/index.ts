/**
 * speed/: the speed layer. Interactions matched and extracted once and grouped into routes by
 * id, applied to a route exactly once (conditional commits that carry the counted ids and the
 * jobs' marks) as one bucket row per (stream, granularity, bucket), expired at the batch
 * watermark, and read back per stream as batch-comparable monoid values.
 */
export { routeBatches, routeOf, type RouteBatch, type RoutedInteraction } from './route-batch.js'
export {
  applyRouteBatch,
  applyRouteBatches,
  RouteCache,
  RouteContentionError,
  type HeldRow,
  type ApplyOptions,
  type ApplyResult,
} from './route-apply.js'
export { SpeedViews } from './speed-views.js'
export {
  ALL_BUCKET_ROWS,
  baseRowKey,
  bucketRowKey,
  DELTA_SLOTS,
  deltaSlotKey,
  bucketRowRange,
  jobKey,
  parseBucketRowKey,
  seenKey,
} from './speed-keys.js'
export {
  BucketRowFormatError,
  BucketRows,
  DEFAULT_KEYED_CAPACITY,
  type BucketRow,
  type EncodedRow,
} from './bucket-row.js'
export {
  SpeedWorker,
  type HandoffLines,
  type SpeedMatch,
  type SpeedMetrics,
  type SpeedWorkerOptions,
} from './speed-worker.js'
export { WatchedStreams, type StreamSource } from './stream-watch.js'
export { expireBefore } from './speed-expiry.js'
export { DEFAULT_ROUTES, SpeedLayoutError, speedRoutes } from './speed-layout.js'
export { RecordingAppender } from './recording-appender.js'
export * from './recording-layout.js'
export { RouteOwnership, type RouteOwnershipOptions } from './route-ownership.js'
export { parseRouteBatch, routeJobId, routeQueueName } from './route-queue.js'
