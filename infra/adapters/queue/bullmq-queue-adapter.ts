import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq'
import { Redis } from 'ioredis'
import {
  DEFAULT_RETRY_POLICY,
  PermanentJobError,
  checkJobId,
  type ConsumeOptions,
  type FailedJob,
  type JobQueue,
  type NewJob,
  type QueueConsumer,
  type QueueCounts,
  type QueueJob,
  type RetryPolicy,
} from '../../../schemas/ports/index.js'

// Finished jobs are kept this long so that re-adding the same id (a producer retrying after a
// crash) is recognised and not run twice.
const KEEP_COMPLETED_S = 24 * 3600
const KEEP_COMPLETED_COUNT = 100_000
const KEEP_FAILED_COUNT = 1000
const JOB_NAME = 'job'

export interface BullmqQueueOptions {
  readonly host: string
  readonly port: number
  /** Redis key prefix, so several Sluice installations can share one Redis. */
  readonly prefix: string
  readonly retry?: RetryPolicy
  /**
   * How long a consumer's claim on a job lasts without renewal. A consumer that dies is noticed
   * after at most about twice this, and its job delivered again.
   */
  readonly lockMs?: number
}

/**
 * The queue on Redis through BullMQ (`redis://HOST:PORT`). A job's consumer holds a lock it
 * renews while alive; when it dies the lock lapses, BullMQ's stalled-job check moves the job
 * back to waiting, and another consumer takes it. A {@link PermanentJobError} becomes BullMQ's
 * UnrecoverableError, so the job fails without further attempts.
 */
export class BullmqJobQueue<T> implements JobQueue<T> {
  readonly location: string
  private readonly queue: Queue
  private readonly producer: Redis
  private readonly workerConnections = new Set<Redis>()
  private readonly retry: RetryPolicy
  private readonly lockMs: number

  constructor(
    readonly name: string,
    private readonly options: BullmqQueueOptions,
  ) {
    this.location = `redis://${options.host}:${options.port} (${options.prefix}:${name})`
    // BullMQ's blocking worker connection needs maxRetriesPerRequest null; the producer fails
    // fast instead of queueing commands while Redis is away, so callers see the outage.
    this.producer = new Redis({
      host: options.host,
      port: options.port,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    })
    this.producer.on('error', () => undefined)
    this.queue = new Queue(name, { connection: this.producer, prefix: options.prefix })
    // An unreachable Redis surfaces as failed calls; the emitter must not crash the process.
    this.queue.on('error', () => undefined)
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY
    this.lockMs = options.lockMs ?? 30_000
  }

  async add(jobs: readonly NewJob<T>[]): Promise<void> {
    for (const job of jobs) checkJobId(job.id)
    await this.queue.addBulk(
      jobs.map((job) => ({
        name: JOB_NAME,
        data: job.data,
        opts: {
          jobId: job.id,
          attempts: this.retry.attempts,
          backoff: { type: 'exponential', delay: this.retry.backoffMs },
          removeOnComplete: { age: KEEP_COMPLETED_S, count: KEEP_COMPLETED_COUNT },
          removeOnFail: { count: KEEP_FAILED_COUNT },
        },
      })),
    )
  }

  consume(
    handler: (job: QueueJob<T>) => Promise<void>,
    options: ConsumeOptions = {},
  ): QueueConsumer {
    const connection = new Redis({
      host: this.options.host,
      port: this.options.port,
      maxRetriesPerRequest: null,
    })
    connection.on('error', () => undefined)
    this.workerConnections.add(connection)
    const worker = new Worker(
      this.name,
      async (job: Job<T>) => {
        try {
          await handler({ id: job.id ?? '', data: job.data, attempt: job.attemptsMade + 1 })
        } catch (e) {
          if (e instanceof PermanentJobError) throw new UnrecoverableError(e.message)
          throw e
        }
      },
      {
        connection,
        prefix: this.options.prefix,
        concurrency: Math.max(1, options.concurrency ?? 1),
        lockDuration: this.lockMs,
        stalledInterval: this.lockMs,
        // A job whose consumer died is delivered again as often as a failed one is retried.
        maxStalledCount: this.retry.attempts,
      },
    )
    worker.on('error', () => undefined)
    return {
      close: async () => {
        await worker.close()
        this.workerConnections.delete(connection)
        connection.disconnect()
      },
    }
  }

  async counts(): Promise<QueueCounts> {
    const c = await this.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed')
    return {
      waiting: (c['waiting'] ?? 0) + (c['prioritized'] ?? 0),
      active: c['active'] ?? 0,
      delayed: c['delayed'] ?? 0,
      failed: c['failed'] ?? 0,
    }
  }

  async oldestPending(): Promise<number | undefined> {
    // The waiting lists' oldest ends (workers take from there) and every job in hand or
    // waiting for a retry (few: bounded by consumers and failures).
    const [oldestWaiting, others] = await Promise.all([
      this.queue.getJobs(['wait', 'prioritized'], 0, 0, true),
      this.queue.getJobs(['active', 'delayed'], 0, -1),
    ])
    let oldest: number | undefined
    for (const job of [...oldestWaiting, ...others])
      if (job !== undefined && (oldest === undefined || job.timestamp < oldest))
        oldest = job.timestamp
    return oldest
  }

  async failed(limit: number): Promise<readonly FailedJob[]> {
    const jobs = await this.queue.getFailed(0, Math.max(0, limit - 1))
    return jobs.map((job) => ({
      id: job.id ?? '',
      attempts: job.attemptsMade,
      reason: job.failedReason,
    }))
  }

  async close(): Promise<void> {
    await this.queue.close()
    this.producer.disconnect()
    for (const c of this.workerConnections) c.disconnect()
  }
}
