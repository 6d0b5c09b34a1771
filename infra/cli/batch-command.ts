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
import { ConfigError } from '../config/config-error.js'

export const BATCH_QUEUE = 'batch'

export interface BatchRunCommandOptions {
  readonly store: StoreConfig
  readonly queue: QueueConfig
  readonly workers: number
  readonly shards?: number
  readonly workDir?: string
  readonly stdout: Writable
  readonly stderr: Writable
}

export function batchSummary(r: BatchJobReport, seconds: number): string {
  return [
    `master version:  ${r.masterVersion} (${r.partitions} partitions)`,
    `tasks:           ${r.tasks} partitions handed to workers`,
    `partials:        ${r.partialsReused} merged, ${r.partialsComputedLocally} computed by the merge itself`,
    `views version:   ${r.version.version} (${r.version.shards} shards per view)`,
    `watermark:       ${new Date(r.version.watermark).toISOString()}`,
    `elapsed:         ${seconds.toFixed(2)} s`,
    '',
  ].join('\n')
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
      workDir: options.workDir ?? join(tmpdir(), `sluice-batch-${process.pid}`),
      ...(options.shards === undefined ? {} : { shards: options.shards }),
      onProgress: (remaining, total) => {
        if (total > 0)
          options.stderr.write(`batch: ${total - remaining}/${total} partitions done\n`)
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
  readonly stderr: Writable
  /** Resolves when the worker should stop (SIGINT/SIGTERM). */
  readonly stopped: Promise<void>
}

/** `sluice batch worker`: computes batch tasks from a shared queue until stopped. */
export async function runBatchWorker(options: BatchWorkerCommandOptions): Promise<void> {
  if (options.queue.kind === 'memory')
    throw new ConfigError(
      '--queue',
      'memory:',
      'a separate worker needs a shared queue: redis://HOST:PORT',
    )
  const store = openObjectStore(options.store)
  const queue = openJobQueue<BatchTask>(options.queue, BATCH_QUEUE)
  const consumer = queue.consume(
    async (job) => {
      await runBatchTask(store, VIEWS, job.data)
      options.stderr.write(
        `batch worker: ${job.data.type}/${job.data.date} done (${job.data.streams.length} streams)\n`,
      )
    },
    { concurrency: options.concurrency },
  )
  await options.stopped
  await consumer.close()
  await queue.close()
}
