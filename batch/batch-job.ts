import { createHash } from 'node:crypto'
import { StreamCatalog, type CompiledDefinition } from '../query-dsl/index.js'
import {
  bucketStart,
  readMasterSnapshot,
  type MasterSnapshot,
  type View,
} from '../schemas/index.js'
import type { JobQueue, ObjectStore, ViewShardStore } from '../schemas/ports/index.js'
import { recomputeViews, type BatchRunReport } from './batch-run.js'
import { computePartition, partitionFingerprint, readPartial } from './partition-partials.js'
import { deleteOldViewVersions, publishViews, type ViewVersionManifest } from './view-versions.js'

/** One unit of batch work: the streams whose partials one (type, day) partition lacks. */
export interface BatchTask {
  /** The master version the coordinator planned from; workers read exactly that snapshot. */
  readonly masterVersion: number
  readonly type: string
  readonly date: string
  readonly streams: readonly string[]
}

export function batchTaskId(task: BatchTask): string {
  const streams = createHash('sha256')
    .update([...task.streams].sort().join(','))
    .digest('hex')
  return `batch-m${task.masterVersion}-${task.type}-${task.date}-${streams.slice(0, 16)}`
}

/** The tasks a run needs: per partition, the streams without a reusable partial. */
export async function planBatch(
  store: ObjectStore,
  snapshot: MasterSnapshot,
  streams: readonly CompiledDefinition[],
  views: readonly View[],
): Promise<BatchTask[]> {
  const partitions = [
    ...new Set([...snapshot.parts.values()].map((p) => `${p.type}/${p.date}`)),
  ].sort()
  const tasks: BatchTask[] = []
  for (const partition of partitions) {
    const [type, date] = partition.split('/') as [string, string]
    const fingerprint = partitionFingerprint(snapshot, type, date, views)
    const missing: string[] = []
    for (const stream of streams)
      if ((await readPartial(store, views, type, date, stream.hash, fingerprint)) === undefined)
        missing.push(stream.hash)
    if (missing.length > 0)
      tasks.push({ masterVersion: snapshot.version, type, date, streams: missing })
  }
  return tasks
}

/**
 * A worker's handling of one task: the coordinator's master snapshot, the task's streams from
 * the catalog, and the partition folded into their partials (stored for the coordinator).
 */
export async function runBatchTask(
  store: ObjectStore,
  views: readonly View[],
  task: BatchTask,
  streams?: readonly CompiledDefinition[],
): Promise<void> {
  const snapshot = await readMasterSnapshot(store, { atVersion: task.masterVersion })
  const known = streams ?? (await new StreamCatalog(store).definitions())
  const wanted = new Set(task.streams)
  const definitions = known.filter((d) => wanted.has(d.hash))
  if (definitions.length === 0) return
  await computePartition(store, snapshot, task.type, task.date, definitions, views)
}

/**
 * The batch watermark of a master snapshot: the start of the hour of its newest interaction.
 * The views then hold every interaction created before it that the master dataset holds;
 * that hour and later are the speed layer's. (Provisional: records arriving later than an hour
 * are left to the next batch run, as issue 7 will make precise.)
 */
export function batchWatermark(snapshot: MasterSnapshot): number {
  let newest = -Infinity
  for (const part of snapshot.parts.values()) newest = Math.max(newest, part.createdAtMax)
  return newest === -Infinity ? 0 : bucketStart(newest, 'hour')
}

export interface BatchJobOptions {
  readonly store: ObjectStore
  readonly queue: JobQueue<BatchTask>
  readonly shardStore: ViewShardStore
  readonly views: readonly View[]
  /** Consumers of the queue in this process (0: other processes consume it). */
  readonly workers: number
  /** A local directory for building shards. */
  readonly workDir: string
  readonly shards?: number
  /** The streams (all registered ones by default). */
  readonly streams?: readonly CompiledDefinition[]
  readonly pollMs?: number
  readonly onProgress?: (remaining: number, total: number) => void
}

export interface BatchJobReport extends BatchRunReport {
  readonly tasks: number
  /** Partials the final merge had to compute itself (a task that failed for good). */
  readonly partialsComputedLocally: number
  readonly version: ViewVersionManifest
}

/**
 * `sluice batch run`: plans tasks per partition, hands them to the queue, lets this process's
 * workers (and any others on the same queue) compute the partials, merges every partial into
 * the views, and publishes them as the next version with its watermark.
 */
export async function runBatchJob(options: BatchJobOptions): Promise<BatchJobReport> {
  const { store, queue, views } = options
  const snapshot = await readMasterSnapshot(store)
  const streams = options.streams ?? (await new StreamCatalog(store).definitions())
  const tasks = await planBatch(store, snapshot, streams, views)
  await queue.add(tasks.map((data) => ({ id: batchTaskId(data), data })))
  const consumers = Array.from({ length: options.workers }, () =>
    queue.consume((job) => runBatchTask(store, views, job.data, streams), { concurrency: 1 }),
  )
  try {
    for (;;) {
      const c = await queue.counts()
      const remaining = c.waiting + c.active + c.delayed
      options.onProgress?.(remaining, tasks.length)
      if (remaining === 0) break
      await new Promise((r) => setTimeout(r, options.pollMs ?? 200))
    }
  } finally {
    await Promise.all(consumers.map((c) => c.close()))
  }
  const { aggregates, report } = await recomputeViews(store, streams, views, snapshot)
  const version = await publishViews(store, options.shardStore, aggregates, {
    watermark: batchWatermark(snapshot),
    masterVersion: snapshot.version,
    workDir: options.workDir,
    ...(options.shards === undefined ? {} : { shards: options.shards }),
  })
  // The previous version stays for servers switching over; older ones go after an hour.
  await deleteOldViewVersions(store)
  return {
    ...report,
    tasks: tasks.length,
    partialsComputedLocally: report.partialsComputed,
    version,
  }
}
