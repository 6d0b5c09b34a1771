import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { Registry } from 'prom-client'
import { BatchViews, type BatchViewsHealth } from '../../batch/index.js'
import { ALL_INTERACTIONS_CSDL, StreamCatalog, streamHash } from '../../query-dsl/index.js'
import {
  digest,
  thresholdCheck,
  VIEWS,
  type HealthCheck,
  type HealthReport,
} from '../../schemas/index.js'
import type { JobQueue, MatchChannel, ObjectStore, SpeedStore } from '../../schemas/ports/index.js'
import {
  ApiKeys,
  createApiServer,
  FilterService,
  threadedCompiler,
  LiveHub,
  type LiveHubOptions,
  RecordingFinalizer,
  RecordingService,
  ReplayService,
  ReplayWorker,
  type ReplayTask,
  MergedViews,
  StreamAnalytics,
  type ApiLimits,
} from '../../serving/index.js'
import { SpeedViews } from '../../speed/index.js'
import { openJobQueue } from '../adapters/open-job-queue.js'
import { LevelShardStore } from '../adapters/view-shards/level-shard-store.js'
import { listen } from '../http/ops-server.js'
import { watermarkAgeCheck } from '../speed/watermark-follower.js'
import { builtConsoleDir } from './console-dir.js'

export interface ApiServiceConfig {
  readonly objects: ObjectStore
  readonly speedStore: SpeedStore
  readonly routes: number
  /** Where the served batch version's shards are copied. */
  readonly cacheDir: string
  readonly http: { readonly host: string; readonly port: number }
  /** How often a newer batch version is looked for. */
  readonly refreshMs: number
  readonly graphiql: boolean
  /** How long a speed-layer answer is reused for the same query (default 1000 ms). */
  readonly speedCacheMs?: number
  /** How long a key's whole answer is reused for the same query (default 1000 ms; 0: never). */
  readonly responseCacheMs?: number
  readonly limits?: Partial<ApiLimits>
  /** Degraded past this watermark age, failing past the speed rows' TTL. */
  readonly watermarkWarnHours?: number
  readonly speedTtlHours?: number
  readonly log: (event: string, fields: Readonly<Record<string, unknown>>) => void
  /** The speed layer's matches, for live delivery (none: `/live/…` answers 404). */
  readonly matches?: MatchChannel
  readonly liveOptions?: LiveHubOptions
  /** Where replay tasks go (default: a queue in this process). */
  readonly replayQueue?: JobQueue<ReplayTask>
  /** Replay tasks this process runs at once (default 1; 0: only other processes run them). */
  readonly replayWorkers?: number
  /**
   * The collectors' hand-off queue the speed layer consumes: recordings are offered only with
   * it, and finalized once it has handled everything added until their end + settle time.
   */
  readonly handoff?: Pick<JobQueue<unknown>, 'oldestPending'>
  /** How long after a recording's end late hand-offs are waited for (default 30 s). */
  readonly recordingSettleMs?: number
  /** Recordings a key may have scheduled or running at once (default 10). */
  readonly maxRecordings?: number
  /** Records per recording output chunk (default 50,000). */
  readonly recordingChunkRecords?: number
  /**
   * Worker threads that compile callers' filters (default 1); 0 compiles on the API's own
   * thread (for tests run from sources, where no built worker module exists).
   */
  readonly compileThreads?: number
  /** Streams a key may register (default 200). */
  readonly maxStreamsPerKey?: number
  /** Origins whose pages may call the API from a browser (CORS; none by default). */
  readonly corsOrigins?: readonly string[]
  /** How often open live connections' keys are checked again (default 2 s). */
  readonly liveRecheckMs?: number
  /** More health checks (a stack's components), reported beside the API's own. */
  readonly extraChecks?: () => Promise<Record<string, HealthCheck>>
  /** More metrics (a stack's collector, speed layer and components), served at /metrics. */
  readonly extraMetrics?: readonly Registry[]
}

export interface ApiService {
  readonly url: string
  readonly batch: BatchViews
  readonly live: LiveHub | undefined
  close(): Promise<void>
}

const MINUTE = 60_000

/** The served batch version's health: degraded while a load or a read of it fails. */
function batchViewsCheck(h: BatchViewsHealth): HealthCheck {
  const iso = (ms: number | undefined): string => new Date(ms ?? 0).toISOString()
  if (h.reloading || h.lastError !== undefined)
    return {
      status: 'degraded',
      detail: `${h.reloading ? 'loading again after: ' : 'failed: '}${h.lastError} (${iso(h.lastErrorAt)}); serving version ${h.version}`,
    }
  return {
    status: 'ok',
    detail:
      h.version === 0
        ? 'no batch version published yet'
        : `version ${h.version} loaded ${iso(h.loadedAt)}${h.reloads > 0 ? `; loaded again ${h.reloads} times after a damaged cache` : ''}`,
  }
}

// An event loop that stalls this long answers every request that late (a busy loop's ordinary
// hiccups, GC and a segment sealed, stay under the first).
const LOOP_WARN_MS = 1000
const LOOP_FAIL_MS = 5000
const LOOP_WINDOW_MS = 30_000

/**
 * How long the API's event loop stalled in the last 30 s (the longest delay): degraded past
 * 1 s, failing past 5 s. Work that blocks the loop (a compile, a batch build) shows here.
 */
function eventLoopWatch(): { check(): HealthCheck; stop(): void } {
  const histogram = monitorEventLoopDelay({ resolution: 20 })
  histogram.enable()
  let lastMaxMs = 0
  const timer = setInterval(() => {
    lastMaxMs = histogram.max / 1e6
    histogram.reset()
  }, LOOP_WINDOW_MS)
  timer.unref()
  return {
    check: () => {
      const worst = Math.max(lastMaxMs, histogram.max / 1e6)
      return thresholdCheck(
        worst,
        LOOP_WARN_MS,
        LOOP_FAIL_MS,
        `longest event-loop stall in the last ${LOOP_WINDOW_MS / 1000}–${(2 * LOOP_WINDOW_MS) / 1000} s: ${worst.toFixed(0)} ms`,
      )
    },
    stop: () => {
      clearInterval(timer)
      histogram.disable()
    },
  }
}

/**
 * The API process: batch views loaded and refreshed from the object store, speed views read
 * from the speed store, merged behind the GraphQL server, with /health and /metrics.
 */
export async function startApiService(config: ApiServiceConfig): Promise<ApiService> {
  const batch = new BatchViews(config.objects, new LevelShardStore(), config.cacheDir, VIEWS)
  await batch.refresh().catch((e: unknown) => {
    config.log('batch_refresh_failed', { error: e instanceof Error ? e.message : String(e) })
  })
  const speed = new SpeedViews(config.speedStore, VIEWS, config.routes, config.speedCacheMs ?? 1000)
  const analytics = new StreamAnalytics(new MergedViews(batch, speed, VIEWS))
  const catalog = new StreamCatalog(config.objects)
  const keys = new ApiKeys(config.objects)
  const compileThreads = config.compileThreads ?? 1
  const filters = new FilterService(catalog, {
    ...(compileThreads > 0
      ? {
          compiler: threadedCompiler({
            threads: compileThreads,
            onError: (e) =>
              config.log('compile_worker_failed', {
                error: e instanceof Error ? e.message : String(e),
              }),
          }),
          concurrency: compileThreads,
        }
      : {}),
    ...(config.maxStreamsPerKey === undefined ? {} : { maxStreamsPerKey: config.maxStreamsPerKey }),
  })
  const ownQueue = config.replayQueue === undefined
  const replayQueue = config.replayQueue ?? openJobQueue<ReplayTask>({ kind: 'memory' }, 'replays')
  const replays = new ReplayService(config.objects, replayQueue, catalog, (owner, csdl) =>
    filters.definition(owner, csdl),
  )
  const replayWorkers = config.replayWorkers ?? 1
  const replayConsumer =
    replayWorkers > 0
      ? new ReplayWorker(config.objects).consume(replayQueue, { concurrency: replayWorkers })
      : undefined
  const live =
    config.matches === undefined ? undefined : new LiveHub(config.matches, config.liveOptions)
  const recordings =
    config.handoff === undefined
      ? undefined
      : new RecordingService(config.objects, catalog, {
          ...(config.maxRecordings === undefined ? {} : { maxActive: config.maxRecordings }),
          ...(config.recordingChunkRecords === undefined
            ? {}
            : { chunkRecords: config.recordingChunkRecords }),
        })
  const finalizer =
    config.handoff === undefined
      ? undefined
      : new RecordingFinalizer(config.objects, config.handoff, {
          settleMs: config.recordingSettleMs ?? 30_000,
          log: config.log,
        })
  finalizer?.start()
  const everything = streamHash(ALL_INTERACTIONS_CSDL)

  const loop = eventLoopWatch()
  const health = async (): Promise<HealthReport> => {
    const checks: Record<string, HealthCheck> = { ...(await config.extraChecks?.()) }
    checks['event_loop'] = loop.check()
    checks['batch_views'] = batchViewsCheck(batch.health())
    try {
      await config.objects.list('streams/', { limit: 1 })
      checks['object_store'] = { status: 'ok', detail: config.objects.location }
    } catch (e) {
      checks['object_store'] = { status: 'failing', detail: String(e) }
    }
    const now = Date.now()
    try {
      const rows = await speed.range({
        stream: everything,
        view: 'volume',
        granularity: 'minute',
        from: now - 120 * MINUTE,
        to: now + MINUTE,
      })
      // Lag: how far the newest minute with interactions ends before now.
      const newest = rows.length === 0 ? undefined : (rows[rows.length - 1]?.bucket ?? 0) + MINUTE
      const lag = newest === undefined ? undefined : Math.max(0, now - newest)
      checks['speed_lag'] =
        lag === undefined
          ? { status: 'degraded', detail: 'no interaction reached the speed layer in 2 hours' }
          : thresholdCheck(
              lag / MINUTE,
              5,
              30,
              lag === 0
                ? `interactions in the speed views this minute (${config.speedStore.location})`
                : `newest interaction in the speed views ${(lag / 1000).toFixed(0)} s before the current minute (${config.speedStore.location})`,
            )
    } catch (e) {
      checks['speed_lag'] = { status: 'failing', detail: `speed store: ${String(e)}` }
    }
    const pin = batch.pin()
    checks['batch_watermark'] = watermarkAgeCheck(
      pin?.watermark ?? -Infinity,
      config.watermarkWarnHours ?? 6,
      config.speedTtlHours ?? 48,
      pin?.version,
    )
    await pin?.release()
    return digest(checks)
  }

  const api = createApiServer({
    catalog,
    keys,
    filters,
    analytics,
    replays,
    ...(recordings === undefined ? {} : { recordings }),
    store: config.objects,
    ...(live === undefined ? {} : { live }),
    health,
    log: config.log,
    graphiql: config.graphiql,
    ...(config.responseCacheMs === undefined ? {} : { responseCacheMs: config.responseCacheMs }),
    ...(config.limits === undefined ? {} : { limits: config.limits }),
    ...(config.corsOrigins === undefined ? {} : { corsOrigins: config.corsOrigins }),
    ...(config.liveRecheckMs === undefined ? {} : { liveRecheckMs: config.liveRecheckMs }),
    ...(config.extraMetrics === undefined ? {} : { extraMetrics: config.extraMetrics }),
    consoleDir: builtConsoleDir(),
  })
  const server = api.server
  const url = await listen(server, config.http.host, config.http.port)
  let refreshing = false
  const refresher = setInterval(() => {
    if (refreshing) return
    refreshing = true
    // A file of the served version gone from the cache is noticed here, before a read fails.
    batch
      .verify()
      .then(() => batch.refresh())
      .catch((e: unknown) => {
        config.log('batch_refresh_failed', { error: e instanceof Error ? e.message : String(e) })
      })
      .finally(() => {
        refreshing = false
      })
  }, config.refreshMs)
  return {
    url,
    batch,
    live,
    async close() {
      clearInterval(refresher)
      loop.stop()
      api.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await filters.close()
      await live?.close()
      await finalizer?.close()
      await replayConsumer?.close()
      if (ownQueue) await replayQueue.close()
      await batch.close()
    },
  }
}
