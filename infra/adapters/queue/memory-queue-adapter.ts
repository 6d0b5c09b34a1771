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

// How many finished job ids are remembered so that re-adding one is a no-op (BullMQ keeps
// finished jobs the same way, see bullmq-queue-adapter.ts).
const REMEMBERED_IDS = 100_000
const KEPT_FAILURES = 1000

interface Entry<T> {
  readonly id: string
  readonly data: T
  readonly addedAt: number
  attempt: number
  /** Which consumer holds it; a closed-by-force consumer's late result is ignored. */
  holder: object | undefined
}

/**
 * The in-process queue (`memory:`): jobs in this process's memory, for single-machine use
 * where producer and consumer share a process. Same delivery rules as the BullMQ adapter
 * (at-least-once, retries with exponential backoff, no retry after a PermanentJobError, a job
 * abandoned by its consumer is delivered again); jobs do not survive the process.
 */
export class MemoryJobQueue<T> implements JobQueue<T> {
  readonly location = 'memory:'
  private readonly waiting: Entry<T>[] = []
  private waitingHead = 0
  private readonly known = new Set<string>()
  private readonly knownOrder: string[] = []
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly failures: FailedJob[] = []
  // Jobs not yet done, in the order they were added (a Set keeps insertion order).
  private readonly pending = new Set<Entry<T>>()
  private active = 0
  private delayed = 0
  private readonly wakers = new Set<() => void>()

  constructor(private readonly retry: RetryPolicy = DEFAULT_RETRY_POLICY) {}

  private remember(id: string): void {
    this.known.add(id)
    this.knownOrder.push(id)
    if (this.knownOrder.length > REMEMBERED_IDS) this.known.delete(this.knownOrder.shift() ?? '')
  }

  private enqueue(entry: Entry<T>): void {
    this.waiting.push(entry)
    this.wakeAll()
  }

  private wakeAll(): void {
    const wakers = [...this.wakers]
    this.wakers.clear()
    for (const wake of wakers) wake()
  }

  private take(): Entry<T> | undefined {
    if (this.waitingHead >= this.waiting.length) return undefined
    const entry = this.waiting[this.waitingHead++]
    // Compacts the array once the consumed head dominates it.
    if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting.splice(0, this.waitingHead)
      this.waitingHead = 0
    }
    return entry
  }

  add(jobs: readonly NewJob<T>[]): Promise<void> {
    try {
      for (const job of jobs) checkJobId(job.id)
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)))
    }
    for (const job of jobs) {
      if (this.known.has(job.id)) continue
      this.remember(job.id)
      const entry = {
        id: job.id,
        data: job.data,
        addedAt: Date.now(),
        attempt: 0,
        holder: undefined,
      }
      this.pending.add(entry)
      this.enqueue(entry)
    }
    return Promise.resolve()
  }

  consume(
    handler: (job: QueueJob<T>) => Promise<void>,
    options: ConsumeOptions = {},
  ): AbandonableConsumer {
    const concurrency = Math.max(1, options.concurrency ?? 1)
    const token = {}
    const inHand = new Set<Entry<T>>()
    let closing = false
    const settle = (entry: Entry<T>, error: unknown): void => {
      if (entry.holder !== token) return
      entry.holder = undefined
      inHand.delete(entry)
      this.active--
      if (error === undefined) {
        this.pending.delete(entry)
        return
      }
      const reason = error instanceof Error ? error.message : JSON.stringify(error)
      if (error instanceof PermanentJobError || entry.attempt >= this.retry.attempts) {
        this.pending.delete(entry)
        this.failures.unshift({ id: entry.id, attempts: entry.attempt, reason })
        this.failures.length = Math.min(this.failures.length, KEPT_FAILURES)
        return
      }
      this.delayed++
      const timer = setTimeout(
        () => {
          this.timers.delete(timer)
          this.delayed--
          this.enqueue(entry)
        },
        this.retry.backoffMs * 2 ** (entry.attempt - 1),
      )
      this.timers.add(timer)
    }
    const lane = async (): Promise<void> => {
      while (!closing) {
        const entry = this.take()
        if (entry === undefined) {
          await new Promise<void>((resolve) => this.wakers.add(resolve))
          continue
        }
        entry.attempt++
        entry.holder = token
        inHand.add(entry)
        this.active++
        try {
          await handler({ id: entry.id, data: entry.data, attempt: entry.attempt })
          settle(entry, undefined)
        } catch (e) {
          settle(entry, e ?? new Error('job failed'))
        }
      }
    }
    const lanes = Array.from({ length: concurrency }, () => lane())
    const stopLanes = (): void => {
      closing = true
      this.wakeAll()
    }
    return {
      close: async () => {
        stopLanes()
        await Promise.all(lanes)
      },
      abandon: () => {
        // A consumer that dies mid-job: what it holds goes back to the queue at once.
        stopLanes()
        for (const entry of inHand) {
          entry.holder = undefined
          this.active--
          this.enqueue(entry)
        }
        inHand.clear()
        return Promise.resolve()
      },
    }
  }

  counts(): Promise<QueueCounts> {
    return Promise.resolve({
      waiting: this.waiting.length - this.waitingHead,
      active: this.active,
      delayed: this.delayed,
      failed: this.failures.length,
    })
  }

  oldestPending(): Promise<number | undefined> {
    for (const entry of this.pending) return Promise.resolve(entry.addedAt)
    return Promise.resolve(undefined)
  }

  failed(limit: number): Promise<readonly FailedJob[]> {
    return Promise.resolve(this.failures.slice(0, limit))
  }

  close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    return Promise.resolve()
  }
}

/** The in-process consumer can also be dropped mid-job, as a crashed process would be. */
export interface AbandonableConsumer extends QueueConsumer {
  abandon(): Promise<void>
}
