import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { Writable } from 'node:stream'
import { closeWithin } from './bounded-close.js'
import { HANDOFF_QUEUE, type HandoffJob } from '../../schemas/index.js'
import { StreamCatalog } from '../../query-dsl/index.js'
import { digest, VIEWS, type HealthCheck, type HealthReport } from '../../schemas/index.js'
import type { JobQueue, QueueConsumer, SpeedStore } from '../../schemas/ports/index.js'
import {
  parseRouteBatch,
  RecordingAppender,
  routeJobId,
  RouteOwnership,
  routeQueueName,
  speedRoutes,
  SpeedWorker,
  WatchedStreams,
  type RouteBatch,
} from '../../speed/index.js'
import { openJobQueue } from '../adapters/open-job-queue.js'
import { openMatchChannel } from '../adapters/open-match-channel.js'
import { openObjectStore } from '../adapters/open-object-store.js'
import { openRouteLeases } from '../adapters/open-route-leases.js'
import { openSpeedStore } from '../adapters/open-speed-store.js'
import type { QueueConfig, SpeedStoreConfig, StoreConfig } from '../config/adapter-urls.js'
import { requireSharedQueue } from '../config/config-error.js'
import { WatermarkFollower, watermarkAgeCheck } from '../speed/watermark-follower.js'
import { createOpsServer, listen } from '../http/ops-server.js'
import { speedMetrics } from '../metrics/speed-metrics.js'

/** A route lease's time to live: a paused or dead process's routes move after about this. */
export const DEFAULT_LEASE_MS = 6000
// Route parts taken at once per route: they wait for the route's next flush together.
const ROUTE_CONCURRENCY = 32

export interface SpeedCommandOptions {
  /** The object store: the stream catalog and the batch views' watermark. */
  readonly store: StoreConfig
  /** The collectors' hand-off queue (and, beside it, the matches channel). */
  readonly queue: QueueConfig
  readonly speedStore: SpeedStoreConfig
  /** Hand-off jobs handled at once. */
  readonly workers: number
  /** Routes of a new speed store (an existing one keeps its own). */
  readonly routes?: number
  readonly flushMs: number
  readonly ttlHours: number
  /** How often the streams and the watermark are read again. */
  readonly refreshMs: number
  /** How long a route lease lasts unless renewed (renewed every third of it). */
  readonly leaseMs?: number
  /** See `DEFAULT_FUTURE_TOLERANCE_MS`: the shredder's setting must be the same. */
  readonly futureToleranceMs?: number
  /** How long stopping waits for the queue to close cleanly (default 15 s). */
  readonly shutdownMs?: number
  /** Where to serve GET /health and GET /metrics, if anywhere. */
  readonly http?: { readonly host: string; readonly port: number }
  readonly stderr: Writable
  /** Resolves when the process should stop (SIGINT/SIGTERM). */
  readonly stopped: Promise<void>
}

/**
 * The speed process's health: its store answers, and the batch watermark is recent enough that
 * the speed rows after it have not expired (their TTL is the backstop of expiry).
 */
async function speedHealth(
  store: SpeedStore,
  watermark: number,
  ttlHours: number,
): Promise<HealthReport> {
  let storeCheck: HealthCheck
  try {
    await store.read(0, [])
    storeCheck = { status: 'ok', detail: store.location }
  } catch (e) {
    storeCheck = { status: 'failing', detail: e instanceof Error ? e.message : String(e) }
  }
  const watermarkCheck = watermarkAgeCheck(watermark, ttlHours / 2, ttlHours)
  return digest({ store: storeCheck, watermark: watermarkCheck })
}

/**
 * `sluice speed`: consumes the collectors' hand-off queue into the speed views until stopped,
 * publishing every committed match on the matches channel; reads the registered streams and the
 * batch watermark every `refreshMs`, and drops speed rows the watermark has passed.
 */
export async function runSpeedCommand(
  options: SpeedCommandOptions,
): Promise<{ readonly clean: boolean }> {
  requireSharedQueue(
    options.queue,
    'a separate speed process needs the collectors’ hand-off queue: redis://HOST:PORT',
  )
  const objects = openObjectStore(options.store)
  const store = await openSpeedStore(options.speedStore)
  const streams = new WatchedStreams(new StreamCatalog(objects))
  let routes: number
  let follower: WatermarkFollower
  try {
    routes = await speedRoutes(store, options.routes)
    follower = new WatermarkFollower(objects, store, routes)
    await streams.refresh()
    await follower.refresh()
  } catch (e) {
    await store.close()
    throw e
  }
  // Opened only once the rest is known good: their connections keep a process alive.
  const queue = openJobQueue<HandoffJob>(options.queue, HANDOFF_QUEUE)
  // Any process reads hand-off jobs; each route's parts go to its queue, read by the one
  // process holding the route's lease.
  const routeQueues = Array.from({ length: routes }, (_, r) =>
    openJobQueue<RouteBatch>(options.queue, routeQueueName(r)),
  )
  const leases = openRouteLeases(options.queue)
  const routeConsumers = new Map<number, QueueConsumer>()
  const recordings = new RecordingAppender(objects)
  await recordings.refresh()
  const stopRecordings = recordings.follow((e) => {
    options.stderr.write(`speed: reading the active recordings failed: ${String(e)}\n`)
  })
  const channel = openMatchChannel(options.queue)
  const worker = new SpeedWorker({
    store,
    views: VIEWS,
    routes,
    ttlSeconds: options.ttlHours * 3600,
    flushMs: options.flushMs,
    streams: () => streams.set,
    watermark: () => follower.watermark,
    ...(options.futureToleranceMs === undefined
      ? {}
      : { futureToleranceMs: options.futureToleranceMs }),
    record: (job, matches) => recordings.append(job, matches),
    forward: async (job, batches) => {
      await Promise.all(
        batches.map((b) =>
          (routeQueues[b.route] as JobQueue<RouteBatch>).add([
            { id: routeJobId(job, b.route), data: b },
          ]),
        ),
      )
    },
    onMatches: (matches) => {
      channel.publish(matches).catch((e: unknown) => {
        options.stderr.write(`speed: publishing matches failed: ${String(e)}\n`)
      })
    },
  })
  const log = (message: string): void => {
    options.stderr.write(`speed: ${message}\n`)
  }
  const member = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`
  const ownership = new RouteOwnership({
    leases,
    routes,
    member,
    ttlMs: options.leaseMs ?? DEFAULT_LEASE_MS,
    gained: (route) => {
      const routeQueue = routeQueues[route] as JobQueue<RouteBatch>
      routeConsumers.set(
        route,
        routeQueue.consume((job) => worker.applyRouted(parseRouteBatch(job.data, route)), {
          concurrency: ROUTE_CONCURRENCY,
        }),
      )
      log(`route ${route}: writing it (lease epoch ${ownership.epochOf(route) ?? '?'})`)
      return Promise.resolve()
    },
    lost: async (route) => {
      const consumer = routeConsumers.get(route)
      routeConsumers.delete(route)
      await consumer?.close()
      log(`route ${route}: no longer writing it`)
    },
    onError: (e) => log(`route leases: ${e instanceof Error ? e.message : String(e)}`),
  })
  follower.writesOnly((route) => ownership.owns(route))
  log(
    `${streams.size} streams, ${routes} routes, speed store ${store.location}, watermark ${Number.isFinite(follower.watermark) ? new Date(follower.watermark).toISOString() : 'none yet'}`,
  )
  const ops =
    options.http === undefined
      ? undefined
      : createOpsServer({
          metrics: speedMetrics({
            worker: () => worker.metrics,
            watermark: () => follower.watermark,
            streams: () => streams.size,
            routesOwned: () => ownership.owned().length,
          }),
          health: () => speedHealth(store, follower.watermark, options.ttlHours),
          onError: (e) => log(`ops request failed: ${e instanceof Error ? e.message : String(e)}`),
        })
  if (ops !== undefined && options.http !== undefined)
    log(`serving ${await listen(ops, options.http.host, options.http.port)}/health and /metrics`)
  await ownership.start()
  const consumer = queue.consume((job) => worker.handle(job.id, job.data), {
    concurrency: options.workers,
  })
  let refreshing = false
  const refresh = setInterval(() => {
    if (refreshing) return
    refreshing = true
    void (async () => {
      try {
        const changed = await streams.refresh()
        if (changed.added + changed.removed > 0)
          log(`streams: ${changed.added} added, ${changed.removed} removed (${streams.size} now)`)
        const { moved, dropped } = await follower.refresh()
        if (moved)
          log(
            `watermark ${new Date(follower.watermark).toISOString()}: ${dropped} rows before the previous one dropped`,
          )
        const m = worker.metrics
        log(
          `jobs ${m.jobs}, interactions ${m.interactions}, applied ${m.applied}, duplicates ${m.duplicates}, late ${m.late}, future ${m.future}, malformed ${m.malformed}, redelivered ${m.redelivered}, commits ${m.commits} (${m.conflicts} refused), routes [${ownership.owned().join(',')}], recordings ${recordings.size} (${recordings.appended} appended)`,
        )
      } catch (e) {
        log(`refresh failed: ${e instanceof Error ? e.message : String(e)}`)
      } finally {
        refreshing = false
      }
    })()
  }, options.refreshMs)
  await options.stopped
  clearInterval(refresh)
  stopRecordings()
  ops?.close()
  // Jobs in flight finish and are acknowledged; an unreachable queue must not keep the process
  // from stopping (what was not acknowledged is delivered again, and applied once).
  const gaveUp = !(await closeWithin(async () => {
    await consumer.close()
    await ownership.stop()
    await worker.drain()
    await queue.close()
    await Promise.all(routeQueues.map((q) => q.close()))
    await leases.close()
    await channel.close()
  }, options.shutdownMs))
  if (gaveUp) log('stopping without a clean close of the queue (unacknowledged jobs come back)')
  await store.close()
  return { clean: !gaveUp }
}
