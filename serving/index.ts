/**
 * serving/: what users reach: the merge of batch and speed views at the batch watermark and
 * the stream analytics built on it, the GraphQL API with its keys and limits, and historical
 * replays (issue 9 in progress).
 */
export { coverRanges, TimeRangeError, type CoverRange } from './time-cover.js'
export { MergedViews, type BucketSource, type Coverage, type SeriesRow } from './merged-views.js'
export {
  StreamAnalytics,
  UNIQUES_RELATIVE_ERROR,
  type DomainRow,
  type InfluencerRow,
  type SeriesPoint,
  type StreamSpan,
} from './stream-analytics.js'
export { ApiKeyNotFoundError, ApiKeys, KEYS_PREFIX, type ApiKeyRecord } from './api-keys.js'
export { FIELD_LIMITS, userError, type ApiContext } from './graphql-resolvers.js'
export {
  createApiServer,
  DEFAULT_LIMITS,
  type ApiLimits,
  type ApiServerOptions,
} from './api-server.js'
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
} from './replay-job.js'
export { isReplayId, REPLAYS_PREFIX, type ReplayFormat } from './replay-layout.js'
export {
  readReplayManifest,
  type ReplayChunk,
  type ReplayManifest,
  type ReplayTaskDone,
} from './replay-output.js'
export { ReplayStopped, scanReplayPartition, type ReplayRecord } from './replay-scan.js'
export { ReplayStatusReader, type ReplayState, type ReplayStatus } from './replay-status.js'
export { ReplayWorker, type TaskOutcome } from './replay-worker.js'
export { estimateReplay, type ReplayEstimate } from './replay-estimate.js'
export { ReplayService, type ReplayAsk } from './replay-service.js'
export { parseRange, serveOutputFile } from './output-downloads.js'
export {
  LiveCursorError,
  LiveHub,
  LiveSubscription,
  type LiveEnd,
  type LiveHubOptions,
  type LiveMatch,
} from './live-hub.js'
export { followOwnStream, LiveStreamNotFoundError } from './live-follow.js'
export { serveLive } from './live-http.js'
export { RecordingService, type RecordingServiceOptions } from './recording-service.js'
export { RecordingFinalizer, type RecordingFinalizerOptions } from './recording-finalizer.js'
export { finalizeRecording, readRecordingManifest } from './recording-finalize.js'
export { RecordingError, MAX_RECORDING_MS, type RecordingAsk } from './recording-job.js'
export { DEFAULT_CSV_FIELDS, recordsToCsv } from './chunk-csv.js'
export type { OutputChunk } from './output-chunks.js'
export type {
  RecordingFormat,
  RecordingJob,
  RecordingManifest,
  RecordingState,
  RecordingStatus,
} from './recording-types.js'
