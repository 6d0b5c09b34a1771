import { createHash, randomUUID } from 'node:crypto'
import { StreamCatalog, type CompiledDefinition } from '../query-dsl/index.js'
import {
  bucketStart,
  readMasterSnapshot,
  type MasterSnapshot,
  type View,
} from '../schemas/index.js'
import type { JobQueue, ObjectStore, ViewShardStore } from '../schemas/ports/index.js'
import {
  computePartition,
  deleteStalePartials,
  partitionFingerprint,
  partitionName,
  partitionsOf,
  streamsWithPartials,
  type Partition,
} from './partition-partials.js'
import { readShardResult, runShardTask, type ShardTask } from './shard-task.js'
import { shardOf } from './view-row-keys.js'
import { viewsSignature } from './view-aggregates.js'
import {
  currentViewVersion,
  DEFAULT_SHARDS,
  readViewManifest,
  type ViewVersionManifest,
} from './view-manifest.js'
import { commitVersion, type ShardResult } from './view-publish.js'
import { deleteOldViewVersions } from './view-retention.js'

/** One unit of the map side: the streams whose partials one (type, day) partition lacks. */
export interface PartitionTask {
  readonly kind: 'partition'
  /** The master version the coordinator planned from; workers read exactly that snapshot. */
  readonly masterVersion: number
  readonly type: string
  readonly date: string
  readonly streams: readonly string[]
}

/** What the batch queue carries: partitions to fold, then shards to build. */
export type BatchTask = PartitionTask | ShardTask

export function batchTaskId(task: BatchTask): string {
  if (task.kind === 'shard') return `batch-build-${task.build}-shard-${task.shard}`
  const streams = createHash('sha256')
    .update([...task.streams].sort().join(','))
    .digest('hex')
  return `batch-m${task.masterVersion}-${task.type}-${task.date}-${streams.slice(0, 16)}`
}

/** The tasks a run needs: per partition, the streams without a partial of its current state. */
export async function planBatch(
  store: ObjectStore,
  snapshot: MasterSnapshot,
  streams: readonly CompiledDefinition[],
  views: readonly View[],
): Promise<PartitionTask[]> {
  const tasks: PartitionTask[] = []
  for (const partition of partitionsOf(snapshot)) {
    const done = await streamsWithPartials(
      store,
      partition,
      partitionFingerprint(snapshot, partition, views),
    )
    const missing = streams.filter((s) => !done.has(s.hash)).map((s) => s.hash)
    if (missing.length > 0)
      tasks.push({
        kind: 'partition',
        masterVersion: snapshot.version,
        ...partition,
        streams: missing,
      })
  }
  return tasks
}

/** What a worker needs to run batch tasks. */
export interface BatchWorkerContext {
  readonly store: ObjectStore
  readonly views: readonly View[]
  readonly shardStore: ViewShardStore
  /** A local directory for building shards (the last built ones are kept there). */
  readonly workDir: string
  /** The streams, when the caller has them (else read from the catalog). */
  readonly streams?: readonly CompiledDefinition[]
}

/**
 * A worker's handling of one task: a partition folded into its streams' partials (from the
 * coordinator's master snapshot), or a shard of the next version built and uploaded.
 */
export async function runBatchTask(context: BatchWorkerContext, task: BatchTask): Promise<void> {
  const { store, views } = context
  if (task.kind === 'shard') {
    await runShardTask(store, views, context.shardStore, task, context.workDir)
    return
  }
  const snapshot = await readMasterSnapshot(store, { atVersion: task.masterVersion })
  const known = context.streams ?? (await new StreamCatalog(store).definitions())
  const wanted = new Set(task.streams)
  const definitions = known.filter((d) => wanted.has(d.hash))
  if (definitions.length === 0) return
  await computePartition(store, snapshot, task, definitions, views)
}

/**
 * The batch watermark of a master snapshot: the start of the hour of its receipt boundary
 * (`MasterSnapshot.receivedThrough`). The views hold every interaction received before that
 * boundary; buckets from the watermark on are the speed layer's. It is taken from what was
 * received, never from the records' own timestamps, so one record from a wrong clock cannot
 * move it. An interaction created before the watermark but received after the boundary is late:
 * the speed layer leaves it, and the next batch run counts it.
 *
 * A dataset written before receipt boundaries were recorded falls back to its newest
 * interaction, but never past `now`.
 */
export function batchWatermark(snapshot: MasterSnapshot, now: number = Date.now()): number {
  if (snapshot.receivedThrough !== undefined)
    return bucketStart(Math.min(snapshot.receivedThrough, now), 'hour')
  let newest = -Infinity
  for (const part of snapshot.parts.values()) newest = Math.max(newest, part.createdAtMax)
  return newest === -Infinity ? 0 : bucketStart(Math.min(newest, now), 'hour')
}

export interface BatchJobOptions {
  readonly store: ObjectStore
  readonly queue: JobQueue<BatchTask>
  readonly shardStore: ViewShardStore
  readonly views: readonly View[]
  /** Consumers of the queue in this process (0: other processes consume it). */
  readonly workers: number
  /** A local directory for building shards; the last published version is kept there. */
  readonly workDir: string
  readonly shards?: number
  /** The streams (all registered ones by default). */
  readonly streams?: readonly CompiledDefinition[]
  /** Rebuild every row instead of changing the previous version. */
  readonly full?: boolean
  readonly pollMs?: number
  readonly onProgress?: (phase: 'partitions' | 'shards', remaining: number, total: number) => void
}

export interface BatchJobReport {
  readonly masterVersion: number
  readonly partitions: number
  /** Tasks handed to the queue: partitions read from the master dataset for some streams. */
  readonly tasks: number
  /** Partitions whose data changed since the previous version (all of them without one). */
  readonly changedPartitions: readonly string[]
  /** Streams the previous version lacked (registered since). */
  readonly newStreams: number
  readonly partialsComputed: number
  readonly partialsReused: number
  /** Partials the coordinator had to compute itself (a task that failed for good). */
  readonly partialsComputedLocally: number
  /** Whether the version was built by changing the previous one, and how much it rewrote. */
  readonly incremental: boolean
  readonly streamDaysRebuilt: number
  /** Shards the coordinator built itself (a task that failed for good). */
  readonly shardsBuiltLocally: number
  readonly version: ViewVersionManifest
  /** Wall time of the map side, of the reduce side, and of committing and cleaning up. */
  readonly seconds: {
    readonly partitions: number
    readonly shards: number
    readonly commit: number
  }
}

/**
 * `sluice batch run`: plans tasks per partition, hands them to the queue, lets this process's
 * workers (and any others on the same queue) compute the partials, then publishes the next
 * version: the previous one with the rows of changed (stream, day) pairs rebuilt from partials,
 * or everything when there is no usable previous version.
 */
export async function runBatchJob(options: BatchJobOptions): Promise<BatchJobReport> {
  const { store, queue, views } = options
  const snapshot = await readMasterSnapshot(store)
  const streams = options.streams ?? (await new StreamCatalog(store).definitions())
  const context: BatchWorkerContext = { ...options, streams }
  const partitions = partitionsOf(snapshot)
  const fingerprints = new Map(
    partitions.map((p) => [partitionName(p), partitionFingerprint(snapshot, p, views)]),
  )
  const consumers = Array.from({ length: options.workers }, () =>
    queue.consume((job) => runBatchTask(context, job.data), { concurrency: 1 }),
  )
  const started = performance.now()
  try {
    // The map side: partitions folded into partials.
    const tasks = await planBatch(store, snapshot, streams, views)
    await queue.add(tasks.map((data) => ({ id: batchTaskId(data), data })))
    await drained(queue, 'partitions', tasks.length, options)
    // A task that failed for good leaves its partials missing: computed here instead.
    let partialsComputedLocally = 0
    for (const task of await planBatch(store, snapshot, streams, views)) {
      await runBatchTask(context, task)
      partialsComputedLocally += task.streams.length
    }

    const partitionsDone = performance.now()

    // The reduce side: the next version's shards built from partials, one task per shard.
    const previous = await usableBase(store, views, options)
    const days = dirtyDays(partitions, fingerprints, streams, previous)
    const removed =
      previous === undefined
        ? []
        : previous.streams.filter((s) => !streams.some((d) => d.hash === s))
    const shards = previous?.shards ?? options.shards ?? DEFAULT_SHARDS
    const version = (await currentViewVersion(store)) + 1
    const build = randomUUID()
    const shardTasks: ShardTask[] = Array.from({ length: shards }, (_, shard) => ({
      kind: 'shard',
      build,
      version,
      masterVersion: snapshot.version,
      shards,
      shard,
      ...(previous === undefined ? {} : { base: previous.version }),
      days: Object.fromEntries([...days].filter(([s]) => shardOf(s, shards) === shard)),
      removed: removed.filter((s) => shardOf(s, shards) === shard),
    }))
    await queue.add(shardTasks.map((data) => ({ id: batchTaskId(data), data })))
    await drained(queue, 'shards', shardTasks.length, options)
    const results: ShardResult[] = []
    let shardsBuiltLocally = 0
    for (const task of shardTasks) {
      const result = await readShardResult(store, task)
      if (result !== undefined) results.push(result)
      else {
        results.push(await runShardTask(store, views, options.shardStore, task, options.workDir))
        shardsBuiltLocally++
      }
    }
    const shardsDone = performance.now()
    const manifest = await commitVersion(store, results, {
      version,
      views,
      shards,
      watermark: batchWatermark(snapshot),
      masterVersion: snapshot.version,
      streams: streams.map((s) => s.hash),
      partitions: Object.fromEntries(fingerprints),
      ...(previous === undefined ? {} : { base: previous }),
    })
    // The previous version stays for servers switching over; older ones go after an hour.
    await deleteOldViewVersions(store)
    await deleteStalePartials(store, fingerprints, new Set(streams.map((s) => s.hash)))
    const known = new Set(previous?.streams ?? [])
    const partialsComputed = tasks.reduce((n, t) => n + t.streams.length, 0)
    return {
      masterVersion: snapshot.version,
      partitions: partitions.length,
      tasks: tasks.length,
      changedPartitions: partitions
        .map(partitionName)
        .filter((name) => previous?.partitions[name] !== fingerprints.get(name)),
      newStreams: streams.filter((s) => !known.has(s.hash)).length,
      partialsComputed,
      partialsReused: partitions.length * streams.length - partialsComputed,
      partialsComputedLocally,
      incremental: previous !== undefined,
      streamDaysRebuilt: results.reduce((n, r) => n + r.streamDays, 0),
      shardsBuiltLocally,
      version: manifest,
      seconds: {
        partitions: (partitionsDone - started) / 1000,
        shards: (shardsDone - partitionsDone) / 1000,
        commit: (performance.now() - shardsDone) / 1000,
      },
    }
  } finally {
    await Promise.all(consumers.map((c) => c.close()))
  }
}

/** Waits until the queue has nothing waiting, running or delayed. */
async function drained(
  queue: JobQueue<BatchTask>,
  phase: 'partitions' | 'shards',
  total: number,
  options: BatchJobOptions,
): Promise<void> {
  for (;;) {
    const c = await queue.counts()
    const remaining = c.waiting + c.active + c.delayed
    options.onProgress?.(phase, remaining, total)
    if (remaining === 0) return
    await new Promise((r) => setTimeout(r, options.pollMs ?? 200))
  }
}

/** The current version, when the next can be built from it (same definitions and shards). */
async function usableBase(
  store: ObjectStore,
  views: readonly View[],
  options: BatchJobOptions,
): Promise<ViewVersionManifest | undefined> {
  if (options.full === true) return undefined
  const manifest = await readViewManifest(store, await currentViewVersion(store))
  if (manifest === undefined || manifest.definitions !== viewsSignature(views)) return undefined
  if (options.shards !== undefined && options.shards !== manifest.shards) return undefined
  return manifest
}

/**
 * Per stream, the days whose rows the next version must rebuild: every day for a full build or
 * a stream the base lacks; otherwise the days with a partition whose fingerprint differs from
 * the one the base was built from (a late record, a compaction), or that the base lacks.
 */
function dirtyDays(
  partitions: readonly Partition[],
  fingerprints: ReadonlyMap<string, string>,
  streams: readonly CompiledDefinition[],
  base: ViewVersionManifest | undefined,
): Map<string, string[]> {
  const allDays = [...new Set(partitions.map((p) => p.date))].sort()
  const changed = new Set<string>()
  if (base !== undefined) {
    for (const p of partitions) {
      const name = partitionName(p)
      if (base.partitions[name] !== fingerprints.get(name)) changed.add(p.date)
    }
    for (const name of Object.keys(base.partitions))
      if (!fingerprints.has(name)) changed.add(name.slice(name.indexOf('/') + 1))
  }
  const known = new Set(base?.streams ?? [])
  const out = new Map<string, string[]>()
  for (const s of streams) {
    const days = base === undefined || !known.has(s.hash) ? allDays : [...changed].sort()
    if (days.length > 0) out.set(s.hash, days)
  }
  return out
}
