import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Writable } from 'node:stream'
import {
  runBatchJob,
  runBatchTask,
  type BatchJobReport,
  type BatchTask,
} from '../../batch/index.js'
import { VIEWS } from '../../schemas/index.js'
import { openJobQueue } from '../adapters/open-job-queue.js'
import { openObjectStore } from '../adapters/open-object-store.js'
import { LevelShardStore } from '../adapters/view-shards/level-shard-store.js'
import type { QueueConfig, StoreConfig } from '../config/adapter-urls.js'
import { ConfigError, requireSharedQueue } from '../config/config-error.js'

export const BATCH_QUEUE = 'batch'

export interface BatchRunCommandOptions {
  readonly store: StoreConfig
  readonly queue: QueueConfig
  readonly workers: number
  readonly shards?: number
  readonly workDir?: string
  readonly full?: boolean
  readonly stdout: Writable
  readonly stderr: Writable
}

export function batchSummary(r: BatchJobReport, seconds: number): string {
  const changed =
    r.changedPartitions.length <= 5
      ? r.changedPartitions.join(', ')
      : `${r.changedPartitions.slice(0, 5).join(', ')} and ${r.changedPartitions.length - 5} more`
  return [
    `master version:  ${r.masterVersion} (${r.partitions} partitions)`,
    `changed:         ${r.changedPartitions.length} partitions${changed === '' ? '' : ` (${changed})`}, ${r.newStreams} new streams`,
    `tasks:           ${r.tasks} partitions handed to workers`,
    `partials:        ${r.partialsComputed} computed, ${r.partialsReused} reused, ${r.partialsComputedLocally} computed by the coordinator after a failed task`,
    `shards:          ${r.version.shards} per view built by workers, ${r.shardsBuiltLocally} by the coordinator after a failed task`,
    `build:           ${r.incremental ? `from version ${r.version.base ?? '?'}, ` : 'full, '}${r.streamDaysRebuilt} (stream, day) pairs rebuilt, ${r.version.rowsWritten} rows written`,
    `views version:   ${r.version.version} (${r.version.shards} shards per view)`,
    `watermark:       ${new Date(r.version.watermark).toISOString()}`,
    `elapsed:         ${seconds.toFixed(2)} s`,
    '',
  ].join('\n')
}

/** One work directory per store, so the next run finds the shards this machine built. */
export function defaultWorkDir(location: string): string {
  const id = createHash('sha256').update(location).digest('hex').slice(0, 16)
  return join(tmpdir(), 'sluice-batch', id)
}

/** `sluice batch run`: recomputes and publishes the batch views. */
export async function runBatchCommand(options: BatchRunCommandOptions): Promise<BatchJobReport> {
  if (options.queue.kind === 'memory' && options.workers < 1)
    throw new ConfigError(
      '--workers',
      String(options.workers),
      'an in-process queue needs at least one worker here',
    )
  const store = openObjectStore(options.store)
  const queue = openJobQueue<BatchTask>(options.queue, BATCH_QUEUE)
  const started = performance.now()
  try {
    const report = await runBatchJob({
      store,
      queue,
      shardStore: new LevelShardStore(),
      views: VIEWS,
      workers: options.workers,
      workDir: options.workDir ?? defaultWorkDir(store.location),
      full: options.full === true,
      ...(options.shards === undefined ? {} : { shards: options.shards }),
      onProgress: (phase, remaining, total) => {
        if (total > 0) options.stderr.write(`batch: ${total - remaining}/${total} ${phase} done\n`)
      },
    })
    options.stdout.write(batchSummary(report, (performance.now() - started) / 1000))
    return report
  } finally {
    await queue.close()
  }
}

export interface BatchWorkerCommandOptions {
  readonly store: StoreConfig
  readonly queue: QueueConfig
  readonly concurrency: number
  readonly workDir?: string
  readonly stderr: Writable
  /** Resolves when the worker should stop (SIGINT/SIGTERM). */
  readonly stopped: Promise<void>
}

/** `sluice batch worker`: computes batch tasks from a shared queue until stopped. */
export async function runBatchWorker(options: BatchWorkerCommandOptions): Promise<void> {
  requireSharedQueue(options.queue)
  const store = openObjectStore(options.store)
  const queue = openJobQueue<BatchTask>(options.queue, BATCH_QUEUE)
  const context = {
    store,
    views: VIEWS,
    shardStore: new LevelShardStore(),
    workDir: options.workDir ?? defaultWorkDir(store.location),
  }
  const consumer = queue.consume(
    async (job) => {
      const task = job.data
      await runBatchTask(context, task)
      options.stderr.write(
        task.kind === 'shard'
          ? `batch worker: shard ${task.shard} of views version ${task.version} built\n`
          : `batch worker: ${task.type}/${task.date} done (${task.streams.length} streams)\n`,
      )
    },
    { concurrency: options.concurrency },
  )
  await options.stopped
  await consumer.close()
  await queue.close()
}
