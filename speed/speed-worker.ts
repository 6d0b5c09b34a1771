import type { FilterSet } from '../query-dsl/index.js'
import { readRawLine, type HandoffJob, type Interaction, type View } from '../schemas/index.js'
import type { SpeedStore } from '../schemas/ports/index.js'
import { BucketRows } from './bucket-row.js'
import { applyRouteBatches, RouteCache, type ApplyResult } from './route-apply.js'
import { routeBatches, type RouteBatch } from './route-batch.js'

/** A hand-off job's lines: raw-log envelopes of one segment (as collectors/ hands them off). */
export type HandoffLines = Pick<HandoffJob, 'lines'>

/** One match for the live channel: a stream and the interaction it matched. */
export interface SpeedMatch {
  readonly stream: string
  readonly interaction: Interaction
  /** The stream's tags that apply to it. */
  readonly tags: readonly string[]
}

export interface SpeedWorkerOptions {
  readonly store: SpeedStore
  readonly views: readonly View[]
  readonly routes: number
  /** Seconds speed entries live at most: the expiry backstop (at least two batch cycles). */
  readonly ttlSeconds: number
  /** How long a route gathers jobs before one commit of all of them. */
  readonly flushMs: number
  /** The registered streams now (kept current by the caller). */
  readonly streams: () => FilterSet
  /** The batch watermark now: older interactions are left to batch. */
  readonly watermark: () => number
  /** See `DEFAULT_FUTURE_TOLERANCE_MS`: the shredder's setting must be the same. */
  readonly futureToleranceMs?: number
  /** Called with a job's matches once they are committed (for live delivery). */
  readonly onMatches?: (matches: readonly SpeedMatch[]) => void
  /**
   * Stores a job's matches durably (recordings) once they are committed; the job is
   * acknowledged only after it resolves, so a redelivered job stores them again.
   */
  readonly record?: (job: string, matches: readonly SpeedMatch[]) => Promise<void>
  /**
   * Sends a job's route parts to the routes' writers (their queues) instead of committing them
   * here: with several speed processes each route has one writer, which takes its parts with
   * {@link SpeedWorker.applyRouted}. Matches then go out once the parts are queued durably.
   */
  readonly forward?: (job: string, batches: readonly RouteBatch[]) => Promise<void>
}

export interface SpeedMetrics {
  jobs: number
  lines: number
  malformed: number
  /** Interactions set aside as created too far after their receipt (the shredder's rule). */
  future: number
  interactions: number
  applied: number
  duplicates: number
  late: number
  redelivered: number
  commits: number
  /** Commits refused because another writer committed to the route first (then retried). */
  conflicts: number
  /** (stream, interaction) matches found (a redelivered job's again). */
  matches: number
  /** The creation time of the newest interaction committed (ms; -Infinity before any). */
  newest: number
  /** Where the time goes (ms): reading lines (normalize, augment), matching and extracting,
   *  and committing (fold, encode, store). */
  readMs: number
  routeMs: number
  commitMs: number
}

interface Pending {
  readonly batch: RouteBatch
  readonly resolve: (result: ApplyResult) => void
  readonly reject: (error: Error) => void
}

/**
 * The speed layer's consumer of hand-off jobs: normalizes and augments the records with the
 * shredder's code, matches them against every registered stream at once, splits them into
 * routes by id, and gives each route's part to that route's applier, which commits everything
 * it gathered over `flushMs` at once. A job's handler returns once every route committed its
 * part, so the queue acknowledges it only then (at-least-once delivery, applied exactly once).
 */
export class SpeedWorker {
  readonly metrics: SpeedMetrics = {
    jobs: 0,
    lines: 0,
    malformed: 0,
    future: 0,
    interactions: 0,
    applied: 0,
    duplicates: 0,
    late: 0,
    redelivered: 0,
    commits: 0,
    conflicts: 0,
    matches: 0,
    newest: -Infinity,
    readMs: 0,
    routeMs: 0,
    commitMs: 0,
  }
  private readonly pending = new Map<number, Pending[]>()
  private readonly rows: BucketRows
  private readonly flushing = new Map<number, Promise<void>>()
  private readonly timers = new Map<number, NodeJS.Timeout>()
  private readonly caches = new Map<number, RouteCache>()

  constructor(private readonly options: SpeedWorkerOptions) {
    this.rows = new BucketRows(options.views)
  }

  /** Handles one hand-off job; `id` is its queue id (the same on every redelivery). */
  async handle(id: string, job: HandoffLines): Promise<void> {
    const started = performance.now()
    const interactions: Interaction[] = []
    const tolerance = this.options.futureToleranceMs
    const lineOptions = tolerance === undefined ? {} : { futureToleranceMs: tolerance }
    for (const line of job.lines) {
      // The shredder's path: the same line gives the same interactions in both layers.
      const read = readRawLine(line, lineOptions)
      for (const i of read.interactions) interactions.push(i)
      for (const reject of read.rejects)
        if (reject.code === 'future_timestamp') this.metrics.future++
        else this.metrics.malformed++
    }
    const read = performance.now()
    this.metrics.readMs += read - started
    const matches: SpeedMatch[] = []
    const wanted = this.options.onMatches !== undefined || this.options.record !== undefined
    let matched = 0
    let newest = -Infinity
    const batches = routeBatches(
      id,
      interactions,
      this.options.streams(),
      this.options.views,
      this.options.routes,
      (interaction, hits) => {
        matched += hits.length
        newest = Math.max(newest, interaction.interaction?.created_at ?? -Infinity)
        if (wanted)
          for (const hit of hits) matches.push({ stream: hit.hash, interaction, tags: hit.tags })
      },
    )
    this.metrics.routeMs += performance.now() - read
    const forward = this.options.forward
    if (forward !== undefined) await forward(id, batches)
    else for (const r of await Promise.all(batches.map((b) => this.submit(b)))) this.count(r)
    if (matches.length > 0) await this.options.record?.(id, matches)
    this.metrics.jobs++
    this.metrics.lines += job.lines.length
    this.metrics.interactions += interactions.length
    this.metrics.matches += matched
    this.metrics.newest = Math.max(this.metrics.newest, newest)
    // Live delivery is at least once (a redelivered job publishes again; consumers keep ids).
    if (matches.length > 0) this.options.onMatches?.(matches)
  }

  /** Commits one route part a job's reader forwarded here (this process writes the route). */
  async applyRouted(batch: RouteBatch): Promise<void> {
    this.count(await this.submit(batch))
  }

  private count(r: ApplyResult): void {
    if (r.alreadyApplied) this.metrics.redelivered++
    this.metrics.applied += r.applied
    this.metrics.duplicates += r.duplicates
    this.metrics.late += r.late
  }

  private submit(batch: RouteBatch): Promise<ApplyResult> {
    return new Promise((resolve, reject) => {
      const list = this.pending.get(batch.route) ?? []
      list.push({ batch, resolve, reject })
      this.pending.set(batch.route, list)
      if (!this.timers.has(batch.route))
        this.timers.set(
          batch.route,
          setTimeout(() => void this.flush(batch.route), this.options.flushMs),
        )
    })
  }

  private cacheOf(route: number): RouteCache {
    let cache = this.caches.get(route)
    if (cache === undefined) {
      cache = new RouteCache()
      this.caches.set(route, cache)
    }
    return cache
  }

  /** Commits everything a route gathered; one flush per route at a time. */
  private async flush(route: number): Promise<void> {
    this.timers.delete(route)
    const previous = this.flushing.get(route)
    if (previous !== undefined) await previous
    const taken = this.pending.get(route) ?? []
    this.pending.delete(route)
    if (taken.length === 0) return
    const run = (async () => {
      const started = performance.now()
      try {
        const results = await applyRouteBatches(
          this.options.store,
          route,
          taken.map((p) => p.batch),
          {
            views: this.options.views,
            ttlSeconds: this.options.ttlSeconds,
            watermark: this.options.watermark(),
            cache: this.cacheOf(route),
            rows: this.rows,
          },
        )
        this.metrics.commitMs += performance.now() - started
        this.metrics.commits++
        this.metrics.conflicts += (results[0]?.attempts ?? 1) - 1
        taken.forEach((p, i) => p.resolve(results[i] as ApplyResult))
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e))
        for (const p of taken) p.reject(error)
      }
    })()
    this.flushing.set(route, run)
    await run
    if (this.flushing.get(route) === run) this.flushing.delete(route)
  }

  /** Commits whatever is gathered now (before a shutdown). */
  async drain(): Promise<void> {
    for (const [route, timer] of this.timers) {
      clearTimeout(timer)
      await this.flush(route)
    }
    await Promise.all(this.flushing.values())
  }
}
