import { CsdlCompileError, type CompiledDefinition } from '../../query-dsl/index.js'
import {
  emptyScanStats,
  MasterDataError,
  MasterLogError,
  readMasterSnapshot,
  type MasterSnapshot,
} from '../../schemas/index.js'
import {
  DEFAULT_RETRY_POLICY,
  listAll,
  PermanentJobError,
  type JobQueue,
  type ObjectStore,
  type QueueConsumer,
} from '../../schemas/ports/index.js'
import {
  compileReplayFilter,
  readReplayJob,
  type ReplayJob,
  type ReplayTask,
} from './replay-job.js'
import { replayCancelledKey, REPLAYS_ACTIVE_PREFIX } from './replay-layout.js'
import {
  failReplay,
  finishDay,
  finishReplay,
  readTaskDone,
  writeTaskOutput,
} from './replay-output.js'
import { ReplayStopped, scanReplayPartition } from './replay-scan.js'

// How often a running task looks for its replay's cancellation.
const CANCEL_POLL_MS = 250
// How long the list of running replays is reused: short, so replays made moments apart share.
const ACTIVE_LIST_MS = 200
// Replays one pass evaluates at most.
const MAX_SHARED = 64

export type TaskOutcome = 'done' | 'already-done' | 'cancelled'

/**
 * Runs replay tasks: one (type, day) partition of one replay each. It keeps the jobs, their
 * compiled filters and the master snapshots they pinned, since a replay's tasks share them.
 */
export class ReplayWorker {
  private readonly jobs = new Map<string, Promise<{ job: ReplayJob; filter: CompiledDefinition }>>()
  private readonly snapshots = new Map<number, Promise<MasterSnapshot>>()
  private activeList: { at: number; ids: Promise<string[]> } | undefined

  constructor(
    private readonly store: ObjectStore,
    /** Told of each task handled (for logs). */
    private readonly onTask?: (task: ReplayTask, outcome: TaskOutcome) => void,
  ) {}

  private load(id: string): Promise<{ job: ReplayJob; filter: CompiledDefinition }> {
    let loaded = this.jobs.get(id)
    if (loaded === undefined) {
      loaded = (async () => {
        const job = await readReplayJob(this.store, id)
        if (job === undefined) throw new PermanentJobError(`no replay ${id}`)
        return { job, filter: await compileReplayFilter(this.store, job.csdl) }
      })()
      loaded.catch(() => this.jobs.delete(id))
      this.jobs.set(id, loaded)
    }
    return loaded
  }

  private snapshot(version: number): Promise<MasterSnapshot> {
    let snapshot = this.snapshots.get(version)
    if (snapshot === undefined) {
      snapshot = readMasterSnapshot(this.store, { atVersion: version })
      snapshot.catch(() => this.snapshots.delete(version))
      this.snapshots.set(version, snapshot)
    }
    return snapshot
  }

  private async cancelled(id: string): Promise<boolean> {
    return (await this.store.head(replayCancelledKey(id))) !== undefined
  }

  /** Replays still running, as `replays/_active/` lists them (re-listed at most once a second). */
  private async active(): Promise<string[]> {
    const now = Date.now()
    if (this.activeList === undefined || now - this.activeList.at > ACTIVE_LIST_MS)
      this.activeList = {
        at: now,
        ids: (async () => {
          const ids: string[] = []
          for await (const o of listAll(this.store, REPLAYS_ACTIVE_PREFIX))
            ids.push(o.key.slice(REPLAYS_ACTIVE_PREFIX.length))
          return ids
        })(),
      }
    return this.activeList.ids
  }

  /**
   * The other running replays that still need the task's partition of the same master version:
   * scanned in the same pass. Their own tasks then find the work done.
   */
  private async companions(
    job: ReplayJob,
    task: ReplayTask,
  ): Promise<{ job: ReplayJob; filter: CompiledDefinition }[]> {
    const out: { job: ReplayJob; filter: CompiledDefinition }[] = []
    for (const id of await this.active()) {
      if (id === job.id || out.length >= MAX_SHARED - 1) continue
      const other = await this.load(id).catch(() => undefined)
      if (
        other === undefined ||
        other.job.masterVersion !== job.masterVersion ||
        !other.job.partitions.some((p) => p.type === task.type && p.date === task.date) ||
        (await readTaskDone(this.store, other.job, task.date, task.type)) !== undefined ||
        (await this.cancelled(id))
      )
        continue
      out.push(other)
    }
    return out
  }

  /**
   * One task: scan its partition (for the other replays that need it too), store each one's
   * matches, then finish their day and, when it was the last, the replays.
   */
  async run(task: ReplayTask): Promise<TaskOutcome> {
    const primary = await this.load(task.replay)
    const { job } = primary
    if (await this.cancelled(job.id)) return 'cancelled'
    let outcome: TaskOutcome = 'already-done'
    let group = [primary]
    if ((await readTaskDone(this.store, job, task.date, task.type)) === undefined) {
      group = [primary, ...(await this.companions(job, task))]
      const startedAt = new Date().toISOString()
      const stats = emptyScanStats()
      let stop = false
      const poll = setInterval(() => {
        this.cancelled(job.id).then(
          (c) => (stop ||= c),
          () => undefined,
        )
      }, CANCEL_POLL_MS)
      let records
      try {
        records = await scanReplayPartition({
          store: this.store,
          snapshot: await this.snapshot(job.masterVersion),
          type: task.type,
          date: task.date,
          filters: group.map((g) => ({
            key: g.job.id,
            definition: g.filter,
            from: g.job.from,
            to: g.job.to,
          })),
          stopped: () => stop,
          stats,
          replay: job.id,
        })
      } catch (e) {
        if (e instanceof ReplayStopped) return 'cancelled'
        throw e
      } finally {
        clearInterval(poll)
      }
      const finishedAt = new Date().toISOString()
      for (const g of group) {
        const mine = records.get(g.job.id) ?? []
        await writeTaskOutput(
          this.store,
          g.job,
          {
            type: task.type,
            date: task.date,
            rowsScanned: stats.rowsYielded,
            matches: mine.length,
            startedAt,
            finishedAt,
          },
          mine,
        )
      }
      outcome = 'done'
    }
    for (const g of group)
      if (await finishDay(this.store, g.job, task.date)) await finishReplay(this.store, g.job)
    return outcome
  }

  /**
   * Consumes `queue` until the consumer is closed. A task that can never succeed (its job or
   * filter gone, a master part unreadable) or that fails its last attempt fails the replay,
   * with the reason, rather than leave it running for ever.
   */
  consume(
    queue: JobQueue<ReplayTask>,
    options: { concurrency?: number; attempts?: number } = {},
  ): QueueConsumer {
    const attempts = options.attempts ?? DEFAULT_RETRY_POLICY.attempts
    return queue.consume(
      async (job) => {
        try {
          const outcome = await this.run(job.data)
          this.onTask?.(job.data, outcome)
        } catch (e) {
          const permanent =
            e instanceof PermanentJobError ||
            e instanceof CsdlCompileError ||
            e instanceof MasterDataError ||
            e instanceof MasterLogError
          if (permanent || job.attempt >= attempts) {
            const reason = `${job.data.type} on ${job.data.date}: ${e instanceof Error ? e.message : String(e)}`
            await failReplay(this.store, job.data.replay, reason)
            throw new PermanentJobError(reason, { cause: e })
          }
          throw e
        }
      },
      { concurrency: options.concurrency ?? 1 },
    )
  }
}
