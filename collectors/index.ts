/**
 * collectors/: sources (HTTP ingest, firehose file replay, synthetic generator), the local raw
 * log with rotation and crash recovery, the uploader to the object store, and the hand-off of
 * the log to the speed layer's queue. Imports schemas/ (and its ports) only.
 */
export {
  RawLog,
  FSYNC_POLICIES,
  type FsyncPolicy,
  type RawLogOptions,
  type RawLogStats,
  type RecordSlice,
} from './raw-log.js'
export { BackpressureError, RawLogWriteError } from './collector-errors.js'
export { DedupWindow, SourceDedup } from './dedup-window.js'
export { Ingestor, type IngestResult, type IngestStats } from './ingestor.js'
export { scanSourceId } from './source-id-scanner.js'
export { SegmentUploader, UploadVerificationError, type UploaderStats } from './segment-uploader.js'
export { LogHandoff, type HandoffStats } from './log-handoff.js'
export { listSegmentFiles, type SegmentFile, type SegmentState } from './segment-files.js'
export { RollingErrorRate } from './rolling-error-rate.js'
export { collectorHealth } from './collector-health.js'
export {
  createIngestServer,
  INGEST_LIMITS,
  type IngestLimits,
  type IngestServerOptions,
} from './http-ingest-server.js'
export {
  ByteBudget,
  dropUnreadBody,
  hasUnreadBody,
  HttpRequestError,
  readRequestBody,
  type BodyLimits,
  type ReceivedBody,
} from './request-body.js'
export {
  SyntheticFirehose,
  SYNTHETIC_SOURCES,
  type SyntheticSource,
  type SyntheticLine,
  type SyntheticOptions,
} from './synthetic-firehose.js'
export {
  sendPaced,
  type BatchSink,
  type PaceOptions,
  type Spike,
  type SendTotals,
} from './paced-sender.js'
export { withSourceFormat } from './file-firehose.js'
export { liveReplay, retimedTweet, twitterDate } from './sample-replay.js'
