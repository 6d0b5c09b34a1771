/**
 * serving/: what users reach: the merge of batch and speed views at the batch watermark and
 * the stream analytics built on it, the GraphQL API with its keys and limits, callers' filters
 * compiled off the event loop, historical replays, scheduled recordings and live delivery.
 */
export { coverRanges, TimeRangeError, type CoverRange } from './analytics/time-cover.js'
export {
  MergedViews,
  type BucketSource,
  type Coverage,
  type SeriesRow,
} from './analytics/merged-views.js'
export {
  StreamAnalytics,
  UNIQUES_RELATIVE_ERROR,
  type DomainRow,
  type InfluencerRow,
  type SeriesPoint,
  type StreamSpan,
} from './analytics/stream-analytics.js'
export { ApiKeyNotFoundError, ApiKeys, KEYS_PREFIX, type ApiKeyRecord } from './keys/api-keys.js'
export { FIELD_LIMITS, userError, type ApiContext } from './graphql/graphql-resolvers.js'
export {
  createApiServer,
  DEFAULT_LIMITS,
  type ApiLimits,
  type ApiServer,
  type ApiServerOptions,
} from './http/api-server.js'
export {
  cancelReplay,
  checkReplayRequest,
  compileReplayFilter,
  createReplay,
  DEFAULT_CHUNK_RECORDS,
  listReplayJobs,
  readReplayJob,
  replayPartitions,
  replayTaskId,
  ReplayError,
  type ReplayErrorCode,
  type ReplayJob,
  type ReplayPartition,
  type ReplayRequest,
  type ReplayTask,
} from './replays/replay-job.js'
export { isReplayId, REPLAYS_PREFIX, type ReplayFormat } from './replays/replay-layout.js'
export {
  readReplayManifest,
  type ReplayChunk,
  type ReplayManifest,
  type ReplayTaskDone,
} from './replays/replay-output.js'
export { ReplayStopped, scanReplayPartition, type ReplayRecord } from './replays/replay-scan.js'
export { ReplayStatusReader, type ReplayState, type ReplayStatus } from './replays/replay-status.js'
export { ReplayWorker, type TaskOutcome } from './replays/replay-worker.js'
export { estimateReplay, type ReplayEstimate } from './replays/replay-estimate.js'
export { ReplayService, type ReplayAsk } from './replays/replay-service.js'
export { parseRange, serveOutputFile } from './outputs/output-downloads.js'
export {
  LiveCursorError,
  LiveHub,
  LiveSubscription,
  type LiveEnd,
  type LiveHubOptions,
  type LiveMatch,
} from './live/live-hub.js'
export {
  LiveAccess,
  LiveStreamNotFoundError,
  type LiveAccessOptions,
  type LiveFollower,
} from './live/live-access.js'
export {
  FilterService,
  StreamLimitError,
  type FilterServiceOptions,
} from './filters/filter-service.js'
export {
  IN_PROCESS_COMPILER,
  summarizeCompile,
  type FilterCheck,
  type FilterCompiler,
} from './filters/filter-compiler.js'
export {
  CompileWorkerMissingError,
  FilterCompileTimeoutError,
  threadedCompiler,
  type ThreadedCompilerOptions,
} from './filters/threaded-compiler.js'
export { FairQueue, QueueFullError } from './filters/fair-queue.js'
export { DEFAULT_KEY_LIMITS, type KeyLimits } from './http/key-gate.js'
export { operationWork, FIELD_WORK } from './http/operation-work.js'
export { parseRequestTarget, decodeSegment } from './http/request-target.js'
export { serveLive } from './live/live-http.js'
export { RecordingService, type RecordingServiceOptions } from './recordings/recording-service.js'
export {
  RecordingFinalizer,
  type RecordingFinalizerOptions,
} from './recordings/recording-finalizer.js'
export { finalizeRecording, readRecordingManifest } from './recordings/recording-finalize.js'
export { RecordingError, MAX_RECORDING_MS, type RecordingAsk } from './recordings/recording-job.js'
export { DEFAULT_CSV_FIELDS, recordsToCsv } from './recordings/chunk-csv.js'
export type { OutputChunk } from './outputs/output-chunks.js'
export type {
  RecordingFormat,
  RecordingJob,
  RecordingManifest,
  RecordingState,
  RecordingStatus,
} from './recordings/recording-types.js'
