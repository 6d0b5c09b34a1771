/**
 * schemas/: the interaction schema (targets as data) and every shape derived from it, the
 * normalizers of real source formats, and the augmenters. Imports nothing else of Sluice.
 */
export {
  TARGET_TYPES,
  INTERACTION_TYPES,
  type TargetType,
  type InteractionType,
  type GeoPoint,
  type TargetDef,
  type ScalarValue,
  type TargetValue,
} from './targets/target-def.js'
export { TARGETS, findTarget, type TargetPath } from './targets/all-targets.js'
export type { Interaction } from './interaction.js'

export { INTERACTION_ARROW_SCHEMA, arrowFieldOf, arrowTypeOf } from './columns/arrow-schema.js'
export {
  CSDL_OPERATORS,
  OPERATOR_SYNONYMS,
  CASE_SENSITIVE_CAPABLE,
  type CsdlOperator,
} from './catalog/csdl-operators.js'
export {
  TARGET_CATALOG,
  lookupTarget,
  operatorsFor,
  type CatalogEntry,
  type CsdlType,
} from './catalog/target-catalog.js'
export { OPEN_NAMESPACES, REFERENCE_TARGETS } from './catalog/reference-targets.js'
export {
  encodeInteraction,
  decodeInteraction,
  type DecodeResult,
} from './codec/interaction-json.js'
export {
  byRecordTime,
  matchedLine,
  parseSortableLine,
  sortableLine,
  type MatchedRecord,
} from './codec/matched-record.js'
export { validateInteraction, type SchemaViolation } from './codec/validate-interaction.js'
export {
  SCHEMA_TREE,
  buildSchemaTree,
  type SchemaBranch,
  type SchemaLeaf,
  type SchemaNode,
} from './codec/schema-tree.js'

export {
  SOURCE_FORMATS,
  isFormatChoice,
  type SourceFormat,
  type FormatChoice,
} from './normalize/source-format.js'
export {
  NormalizeError,
  NORMALIZE_ERROR_CODES,
  type NormalizeErrorCode,
} from './normalize/normalize-error.js'
export { NOTICE_KINDS, type NoticeKind, type StreamNotice } from './normalize/stream-notice.js'
export type { NormalizeOutcome } from './normalize/normalize-outcome.js'
export {
  detectFormat,
  normalizeRecord,
  normalizeLine,
  MAX_LINE_BYTES,
} from './normalize/normalize-record.js'
export { NormalizeTally, type MalformedSample } from './normalize/normalize-tally.js'
export { interactionId } from './normalize/interaction-id.js'
export { isJsonObject, type JsonObject, type JsonValue } from './normalize/json-value.js'

export type { Augmenter } from './augment/augmenter.js'
export { augment, DEFAULT_AUGMENTERS, warmAugmenters } from './augment/augment-pipeline.js'
export { languageAugmenter } from './augment/language-augmenter.js'
export { sentimentAugmenter } from './augment/sentiment-augmenter.js'
export {
  genderAugmenter,
  genderOfName,
  firstNameOf,
  type Gender,
} from './augment/gender-augmenter.js'
export { linksAugmenter } from './augment/links-augmenter.js'
export { textEntitiesAugmenter } from './augment/text-entities-augmenter.js'
export { afinnScore } from './augment/afinn-scorer.js'
export { createEldDetector, type EldDetector, type EldVerdict } from './augment/eld-detector.js'
export {
  loadEldModel,
  EldModelError,
  type EldModel,
  type EldDatabase,
} from './augment/eld-model.js'

export { normalizeUrl, domainOf } from './text/url-normalize.js'
export { extractTextEntities, type TextEntities } from './text/text-entities.js'
export { removeSpans, type TextSpan } from './text/text-spans.js'
export { decodeHtmlEntities } from './text/html-entities.js'
export { isJsWhitespace } from './text/js-whitespace.js'

export {
  envelopePrefix,
  readEnvelope,
  EnvelopeError,
  type RawEnvelope,
} from './raw/raw-envelope.js'
export { HANDOFF_QUEUE, type HandoffJob } from './raw/handoff-job.js'
export {
  COLLECTOR_PROGRESS_PREFIX,
  collectorProgressKey,
  parseCollectorProgress,
  readCollectorProgress,
  writeCollectorProgress,
  type CollectorProgress,
} from './raw/collector-progress.js'
export {
  readRawLine,
  DEFAULT_FUTURE_TOLERANCE_MS,
  type RawLineOptions,
  type RawLineRecords,
  type RawLineReject,
} from './raw/raw-line-reader.js'
export {
  rawSegmentKey,
  parseRawSegmentKey,
  isCollectorId,
  RAW_AREAS,
  type RawArea,
  type RawSegmentKey,
} from './raw/raw-layout.js'
export { interactionsToArrow, arrowToInteractions } from './columns/interaction-arrow.js'

export {
  MASTER_PREFIX,
  MASTER_LOG_PREFIX,
  MASTER_REJECTS_PREFIX,
  SHREDDED_LEDGER_PREFIX,
  dayOf,
  dayStart,
  isDay,
  isPartitionType,
  partitionPrefix,
  partKey,
  parsePartKey,
  commitKey,
  checkpointKey,
  parseLogKey,
  shreddedLedgerKey,
  type PartKey,
} from './master/master-layout.js'
export {
  EMPTY_SNAPSHOT,
  MasterConflictError,
  MasterLogError,
  applyCommit,
  commitMaster,
  readMasterSnapshot,
  type MasterChange,
  type MasterCommit,
  type MasterOperation,
  type MasterSnapshot,
  type PartEntry,
} from './master/master-log.js'
export {
  bytesOf,
  openPart,
  partInfo,
  readPart,
  readParquetPart,
  storedPart,
  type OpenPart,
  type PartBytes,
  type PartInfo,
  type PartReadOptions,
  type RowGroupInfo,
} from './master/parquet-part-reader.js'
export {
  MasterDataError,
  emptyScanStats,
  partsFor,
  scanMaster,
  type MasterScan,
  type ScanStats,
} from './master/master-reader.js'

export {
  GRANULARITIES,
  BATCH_GRANULARITIES,
  SPEED_GRANULARITIES,
  isGranularity,
  bucketStart,
  fixedBucketMs,
  nextBucket,
  coveringBuckets,
  bucketText,
  bucketFromText,
  BUCKET_TEXT_WIDTH,
  type Granularity,
} from './views/time-bucket.js'
export { COUNT, type Monoid } from './views/monoid.js'
export { isKeyed, keyedValues, type KeyedMonoid } from './views/keyed-monoid.js'
export type { ViewQuery, ViewRow } from './views/view-query.js'
export { decodeEntries, encodeEntries, EntryFormatError } from './views/entry-codec.js'
export { HyperLogLog, UNIQUES, hash32 } from './views/hyperloglog.js'
export {
  DEFAULT_TOP_CAPACITY,
  topEntries,
  topValues,
  type TopEntry,
  TopSummary,
} from './views/top-values.js'
export {
  AUTHOR_INFLUENCE,
  DOMAIN_INFLUENCE,
  type AuthorInfluence,
  type DomainInfluence,
} from './views/influence.js'
export {
  VIEWS,
  VOLUME,
  VOLUME_BY,
  UNIQUE_AUTHORS,
  TOP,
  topView,
  AUTHOR_INFLUENCE_VIEW,
  DOMAIN_INFLUENCE_VIEW,
  VOLUME_DIMENSIONS,
  TOP_DIMENSIONS,
  dimensionKey,
  viewTargets,
  type View,
  type ViewDefinition,
  type VolumeDimension,
  type TopDimension,
} from './views/view-definitions.js'
export {
  HEALTH_STATUSES,
  digest,
  thresholdCheck,
  type HealthStatus,
  type HealthCheck,
  type HealthReport,
} from './health/health-report.js'
