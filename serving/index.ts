/**
 * serving/: what users reach. So far (issue 8 in progress): the merge of batch and speed views
 * at the batch watermark, and the stream analytics built on it.
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
