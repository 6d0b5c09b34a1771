import { listAll, type ObjectStore } from '../../schemas/ports/index.js'
import type { ReplayJob } from './replay-types.js'
import { parseTaskDoneKey, replayChunksPrefix, replayTasksPrefix } from './replay-layout.js'
import {
  readDayChunks,
  readReplayCancelled,
  readReplayFailure,
  readReplayManifest,
  replayDays,
  type ReplayChunk,
  type ReplayManifest,
  type ReplayTaskDone,
} from './replay-output.js'

export type ReplayState = 'queued' | 'running' | 'done' | 'cancelled' | 'failed'

/** Where a replay stands, as `replay(id)` reports it. */
export interface ReplayStatus {
  readonly job: ReplayJob
  readonly state: ReplayState
  readonly partitionsTotal: number
  readonly partitionsDone: number
  /** Rows of the partitions' parts: an upper bound of what will be scanned. */
  readonly rowsTotal: number
  readonly rowsScanned: number
  readonly matches: number
  /** Rows scanned per second since the first task started. */
  readonly rowsPerSecond: number
  /** Seconds until the remaining rows are scanned at that rate (undefined until known). */
  readonly etaSeconds: number | undefined
  /** The output ready so far, in chronological order (every chunk once done). */
  readonly chunks: readonly ReplayChunk[]
  readonly manifest: ReplayManifest | undefined
  readonly reason: string | undefined
}

/**
 * Reads replays' progress from what their tasks stored. Task figures and finished days never
 * change once written, so they are kept: a poll reads only what is new.
 */
export class ReplayStatusReader {
  private readonly tasks = new Map<string, ReplayTaskDone>()
  private readonly days = new Map<string, readonly ReplayChunk[]>()

  constructor(private readonly store: ObjectStore) {}

  async status(job: ReplayJob, now = Date.now()): Promise<ReplayStatus> {
    const manifest = await readReplayManifest(this.store, job.id)
    const done: ReplayTaskDone[] = []
    for await (const o of listAll(this.store, replayTasksPrefix(job.id))) {
      if (parseTaskDoneKey(job.id, o.key) === undefined) continue
      let task = this.tasks.get(o.key)
      if (task === undefined) {
        const bytes = await this.store.get(o.key)
        if (bytes === undefined) continue
        task = JSON.parse(new TextDecoder().decode(bytes)) as ReplayTaskDone
        this.tasks.set(o.key, task)
      }
      done.push(task)
    }
    const chunks: ReplayChunk[] = []
    if (manifest !== undefined) chunks.push(...manifest.chunks)
    else {
      // Days whose chunk list exists (`chunks/<date>.json`).
      const finished = new Set<string>()
      for await (const o of listAll(this.store, replayChunksPrefix(job.id)))
        if (o.key.endsWith('.json')) finished.add(o.key.slice(o.key.lastIndexOf('/') + 1, -5))
      for (const date of replayDays(job)) {
        let day = this.days.get(`${job.id}/${date}`)
        if (day === undefined && finished.has(date)) {
          day = await readDayChunks(this.store, job, date)
          if (day !== undefined) this.days.set(`${job.id}/${date}`, day)
        }
        if (day !== undefined) chunks.push(...day)
      }
    }
    const rowsScanned = done.reduce((n, t) => n + t.rowsScanned, 0)
    const rowsTotal = job.partitions.reduce((n, p) => n + p.rows, 0)
    const started = Math.min(...done.map((t) => Date.parse(t.startedAt)))
    const seconds = Number.isFinite(started) ? Math.max(0.001, (now - started) / 1000) : 0
    const rowsPerSecond = seconds > 0 ? rowsScanned / seconds : 0
    const remaining = job.partitions
      .filter((p) => !done.some((t) => t.type === p.type && t.date === p.date))
      .reduce((n, p) => n + p.rows, 0)
    const failure = await readReplayFailure(this.store, job.id)
    const cancelled = await readReplayCancelled(this.store, job.id)
    const state: ReplayState =
      manifest !== undefined
        ? 'done'
        : failure !== undefined
          ? 'failed'
          : cancelled !== undefined
            ? 'cancelled'
            : done.length > 0
              ? 'running'
              : 'queued'
    return {
      job,
      state,
      partitionsTotal: job.partitions.length,
      partitionsDone: done.length,
      rowsTotal,
      rowsScanned,
      matches: done.reduce((n, t) => n + t.matches, 0),
      rowsPerSecond,
      etaSeconds: state === 'done' ? 0 : rowsPerSecond > 0 ? remaining / rowsPerSecond : undefined,
      chunks,
      manifest,
      reason: failure?.reason,
    }
  }
}
