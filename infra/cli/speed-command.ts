import type { Writable } from 'node:stream'
import { currentViewVersion, readViewManifest } from '../../batch/index.js'
import type { HandoffJob } from '../../collectors/index.js'
import { StreamCatalog } from '../../query-dsl/index.js'
import { VIEWS } from '../../schemas/index.js'
import type { ObjectStore } from '../../schemas/ports/index.js'
import { expireBefore, SpeedWorker, WatchedStreams } from '../../speed/index.js'
import { openJobQueue } from '../adapters/open-job-queue.js'
import { openMatchChannel } from '../adapters/open-match-channel.js'
import { openObjectStore } from '../adapters/open-object-store.js'
import { openSpeedStore } from '../adapters/open-speed-store.js'
import type { QueueConfig, SpeedStoreConfig, StoreConfig } from '../config/adapter-urls.js'
import { ConfigError } from '../config/config-error.js'

export const HANDOFF_QUEUE = 'handoff'

export interface SpeedCommandOptions {
  /** The object store: the stream catalog and the batch views' watermark. */
  readonly store: StoreConfig
  /** The collectors' hand-off queue (and, beside it, the matches channel). */
  readonly queue: QueueConfig
  readonly speedStore: SpeedStoreConfig
  /** Hand-off jobs handled at once. */
  readonly workers: number
  readonly routes: number
  readonly flushMs: number
  readonly ttlHours: number
  /** How often the streams and the watermark are read again. */
  readonly refreshMs: number
  readonly stderr: Writable
  /** Resolves when the process should stop (SIGINT/SIGTERM). */
  readonly stopped: Promise<void>
}

/** The published batch version's watermark, or -Infinity before the first one. */
async function batchWatermark(store: ObjectStore): Promise<number> {
  const manifest = await readViewManifest(store, await currentViewVersion(store))
  return manifest?.watermark ?? -Infinity
}

/**
 * `sluice speed`: consumes the collectors' hand-off queue into the speed views until stopped,
 * publishing every committed match on the matches channel; reads the registered streams and the
 * batch watermark every `refreshMs`, and drops speed rows the watermark has passed.
 */
export async function runSpeedCommand(options: SpeedCommandOptions): Promise<void> {
  if (options.queue.kind === 'memory')
    throw new ConfigError(
      '--queue',
      'memory:',
      'a separate speed process needs the collectors’ hand-off queue: redis://HOST:PORT',
    )
  const objects = openObjectStore(options.store)
  const queue = openJobQueue<HandoffJob>(options.queue, HANDOFF_QUEUE)
  const channel = openMatchChannel(options.queue)
  const store = await openSpeedStore(options.speedStore)
  const streams = new WatchedStreams(new StreamCatalog(objects))
  await streams.refresh()
  let watermark = await batchWatermark(objects)
  const worker = new SpeedWorker({
    store,
    views: VIEWS,
    routes: options.routes,
    ttlSeconds: options.ttlHours * 3600,
    flushMs: options.flushMs,
    streams: () => streams.set,
    watermark: () => watermark,
    onMatches: (matches) => {
      channel.publish(matches).catch((e: unknown) => {
        options.stderr.write(`speed: publishing matches failed: ${String(e)}\n`)
      })
    },
  })
  const log = (message: string): void => {
    options.stderr.write(`speed: ${message}\n`)
  }
  log(
    `${streams.size} streams, ${options.routes} routes, speed store ${store.location}, watermark ${Number.isFinite(watermark) ? new Date(watermark).toISOString() : 'none yet'}`,
  )
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
        const next = await batchWatermark(objects)
        if (next > watermark) {
          watermark = next
          const dropped = await expireBefore(store, options.routes, watermark)
          log(`watermark ${new Date(watermark).toISOString()}: ${dropped} rows dropped`)
        }
        const m = worker.metrics
        log(
          `jobs ${m.jobs}, interactions ${m.interactions}, applied ${m.applied}, duplicates ${m.duplicates}, late ${m.late}, malformed ${m.malformed}, redelivered ${m.redelivered}, commits ${m.commits}`,
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
  await consumer.close()
  await worker.drain()
  await queue.close()
  await channel.close()
  await store.close()
}
