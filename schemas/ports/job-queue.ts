/** A job as its handler sees it. `attempt` counts from 1. */
export interface QueueJob<T> {
  readonly id: string
  readonly data: T
  readonly attempt: number
}

/** A job to add. Its `id` names it: adding an id the queue still remembers adds nothing. */
export interface NewJob<T> {
  readonly id: string
  readonly data: T
}

/**
 * Thrown by a handler for a job that can never succeed (malformed payload, a bug the data
 * triggers): the job fails at once and is not retried.
 */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

export interface QueueCounts {
  readonly waiting: number
  readonly active: number
  /** Waiting for a retry after a failed attempt. */
  readonly delayed: number
  readonly failed: number
}

/** A job that failed for good, with the handler's last error message. */
export interface FailedJob {
  readonly id: string
  readonly attempts: number
  readonly reason: string
}

export interface ConsumeOptions {
  /** Jobs handled at once by this consumer. */
  readonly concurrency?: number
}

/** A running consumer. */
export interface QueueConsumer {
  /** Stops taking jobs and waits for the jobs in hand to finish. */
  close(): Promise<void>
}

/**
 * The queue port: at-least-once hand-off of jobs between processes. A job is delivered to one
 * consumer at a time; a job whose handler throws is retried with exponential backoff up to the
 * queue's attempt limit, except after a {@link PermanentJobError}; a job whose consumer dies
 * mid-job is delivered again. Handlers must therefore be idempotent. Deliberately excluded:
 * priorities, ordering guarantees between jobs, scheduling. Job data must be plain JSON and must
 * not be mutated after `add`. A job should carry many records: a queue moves tens of thousands
 * of jobs per second, not hundreds of thousands.
 *
 * @example
 *   await queue.add([{ id: 'c1-7-0', data: { lines } }])
 *   const consumer = queue.consume(async (job) => apply(job.data), { concurrency: 4 })
 */
export interface JobQueue<T> {
  readonly location: string
  add(jobs: readonly NewJob<T>[]): Promise<void>
  consume(handler: (job: QueueJob<T>) => Promise<void>, options?: ConsumeOptions): QueueConsumer
  counts(): Promise<QueueCounts>
  /**
   * When the oldest job not yet done (waiting, in hand or waiting for a retry) was first added
   * (epoch ms), or undefined when none is: everything added before it has been handled (or
   * failed for good). Lets a reader wait until a producer's output up to some time is consumed.
   */
  oldestPending(): Promise<number | undefined>
  /** The most recent jobs that failed for good, newest first. */
  failed(limit: number): Promise<readonly FailedJob[]>
  /** Releases connections; consumers must be closed first. */
  close(): Promise<void>
}

/** Retry policy shared by every adapter. */
export interface RetryPolicy {
  /** Attempts in total, the first included. */
  readonly attempts: number
  /** Delay before the second attempt; each later one doubles it. */
  readonly backoffMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 5, backoffMs: 1000 }

// Job ids become Redis key parts in BullMQ, where `:` separates fields.
const JOB_ID = /^[A-Za-z0-9._=-]{1,200}$/

/** Throws when `id` is not a valid job id: 1–200 of `A-Z a-z 0-9 . _ = -`. */
export function checkJobId(id: string): void {
  if (!JOB_ID.test(id))
    throw new RangeError(`job id ${JSON.stringify(id)} must be 1-200 of A-Z a-z 0-9 . _ = -`)
}
