/**
 * schemas/ports: the interfaces the layers talk to storage and queues through. The adapters
 * (local directory and S3, in-process queue and BullMQ, …) live in infra/adapters/.
 */
export {
  getJson,
  listAll,
  putJson,
  type ObjectStore,
  type ObjectInfo,
  type ObjectPage,
  type ListOptions,
} from './object-store.js'
export { StoreError, STORE_ERROR_CODES, type StoreErrorCode } from './store-error.js'
export {
  PermanentJobError,
  checkJobId,
  DEFAULT_RETRY_POLICY,
  type JobQueue,
  type QueueJob,
  type NewJob,
  type QueueCounts,
  type FailedJob,
  type ConsumeOptions,
  type QueueConsumer,
  type RetryPolicy,
} from './job-queue.js'
export type { ViewShardReader, ViewShardStore, ViewShardWriter } from './view-shard-store.js'
export type { SpeedChanges, SpeedPut, SpeedRead, SpeedStore } from './speed-store.js'
export type { RouteLeases } from './route-leases.js'
export {
  ALL_STREAMS,
  type MatchChannel,
  type MatchMessage,
  type Unsubscribe,
} from './match-channel.js'
