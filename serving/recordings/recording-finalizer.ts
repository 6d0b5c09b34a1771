import { listAll, type JobQueue, type ObjectStore } from '../../schemas/ports/index.js'
import { RECORDINGS_ACTIVE_PREFIX } from '../../speed/index.js'
import {
  effectiveEnd,
  failRecording,
  finalizeRecording,
  readRecordingCancelled,
} from './recording-finalize.js'
import { readRecordingJob } from './recording-job.js'

/** Finalizing attempts before a recording is failed with the last error. */
const ATTEMPTS = 5

export interface RecordingFinalizerOptions {
  /**
   * How long after a recording's end records created before it may still be handed off
   * (collectors seal and hand off their log in batches): the finalizer waits this long, and
   * then until every hand-off job added before end + settle is handled.
   */
  readonly settleMs: number
  readonly intervalMs?: number
  readonly now?: () => number
  readonly log: (event: string, fields: Readonly<Record<string, unknown>>) => void
}

/**
 * Finalizes recordings once their matches are all in the log: `settleMs` after the end, and
 * once the speed layer has handled every hand-off job added until then (so a speed process
 * that was down, or a job delivered again after a crash, is waited for). Any number of API
 * servers may run one; finalizing is idempotent.
 */
export class RecordingFinalizer {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private readonly failures = new Map<string, number>()
  finalized = 0

  constructor(
    private readonly store: ObjectStore,
    private readonly handoff: Pick<JobQueue<unknown>, 'oldestPending'>,
    private readonly options: RecordingFinalizerOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.tick().finally(() => (this.running = undefined))
    }, this.options.intervalMs ?? 1000)
  }

  /** Finalizes every recording that is ready; one failing does not stop the others. */
  async tick(): Promise<void> {
    const now = this.options.now?.() ?? Date.now()
    let oldest: number | undefined | null = null
    for await (const o of listAll(this.store, RECORDINGS_ACTIVE_PREFIX)) {
      const id = o.key.slice(RECORDINGS_ACTIVE_PREFIX.length)
      try {
        const job = await readRecordingJob(this.store, id)
        if (job === undefined) continue
        const ready =
          effectiveEnd(job, (await readRecordingCancelled(this.store, id))?.cancelledAt) +
          this.options.settleMs
        if (now < ready) continue
        // Asked once per tick, and only when a recording is due.
        if (oldest === null) oldest = await this.handoff.oldestPending()
        if (oldest !== undefined && oldest < ready) continue
        const manifest = await finalizeRecording(this.store, job)
        this.finalized++
        this.failures.delete(id)
        this.options.log('recording_finalized', {
          id,
          records: manifest.records,
          chunks: manifest.chunks.length,
        })
      } catch (e) {
        const reason = e instanceof Error ? e.message : String(e)
        const n = (this.failures.get(id) ?? 0) + 1
        this.failures.set(id, n)
        this.options.log('recording_finalize_failed', { id, attempt: n, error: reason })
        if (n >= ATTEMPTS) {
          this.failures.delete(id)
          await failRecording(this.store, id, `finalizing failed ${n} times: ${reason}`).catch(
            () => undefined,
          )
        }
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer)
    await this.running
  }
}
