import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { retimedTweet, sendPaced } from '../../collectors/index.js'
import { ALL_INTERACTIONS_CSDL, StreamCatalog } from '../../query-dsl/index.js'
import {
  HANDOFF_QUEUE,
  VIEWS,
  warmAugmenters,
  type HandoffJob,
  type HealthCheck,
} from '../../schemas/index.js'
import type { MatchChannel } from '../../schemas/ports/index.js'
import { ApiKeys } from '../../serving/index.js'
import { RecordingAppender, SpeedWorker, speedRoutes, WatchedStreams } from '../../speed/index.js'
import { openJobQueue } from '../adapters/open-job-queue.js'
import { openMatchChannel } from '../adapters/open-match-channel.js'
import { openObjectStore } from '../adapters/open-object-store.js'
import { openSpeedStore } from '../adapters/open-speed-store.js'
import type { QueueConfig, SpeedStoreConfig, StoreConfig } from '../config/adapter-urls.js'
import { startCollector } from '../collect/collector-service.js'
import { readLines } from '../io/line-source.js'
import { startApiService, type ApiService } from '../serve/api-service.js'
import { speedMetrics } from '../metrics/speed-metrics.js'
import { WatermarkFollower } from '../speed/watermark-follower.js'
import { BatchCycleRunner } from './batch-cycle-runner.js'
import type { BatchCycleReport } from './batch-cycle.js'
import { componentMetrics } from './component-metrics.js'
import { Supervisor } from './supervisor.js'

export interface StackConfig {
  /** Where the embedded adapters keep their files (raw log, view cache, the API key). */
  readonly dataDir: string
  readonly store: StoreConfig
  readonly queue: QueueConfig
  readonly speedStore: SpeedStoreConfig
  readonly http: { readonly host: string; readonly port: number }
  /** The recorded Twitter sample the firehose replays, with fresh ids and times. */
  readonly sampleFile: string
  /** Replayed records per second (0: no firehose; ingest only what others send). */
  readonly rate: number
  /** Records after which the firehose stops (default: never). */
  readonly count?: number
  /** How often the shredder and a batch run go. */
  readonly batchEveryMs: number
  /** How soon a raw-log segment is sealed and uploaded. */
  readonly segmentAgeMs: number
  /**
   * Run shred and batch in a child process (default), never on the API's event loop; false
   * runs them on it (tests run from sources, where the child module is not built).
   */
  readonly batchInChild?: boolean
  readonly log: (event: string, fields?: Readonly<Record<string, unknown>>) => void
}

export interface RunningStack {
  readonly api: ApiService
  /** An admin key for the API (kept in the data directory, reused across starts). */
  readonly key: string
  /** Whether this start created it (it is printed only then). */
  readonly keyCreated: boolean
  /** The file it is kept in. */
  readonly keyFile: string
  readonly worker: SpeedWorker
  readonly matches: MatchChannel
  readonly supervisor: Supervisor
  /** Asks for a batch cycle now (one also runs every `batchEveryMs`). */
  batchNow(): void
  stop(): Promise<void>
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/**
 * The recorded sample as a live firehose, read from its file pass after pass (never held in
 * memory: the Twitter sample is 154 MB of text), each record created now with an id no earlier
 * pass used.
 */
async function* sampleForever(
  file: string,
  firstCopy: number,
): AsyncGenerator<{ readonly source: 'twitter-v1'; readonly line: string }> {
  for (let copy = firstCopy; ; copy++) {
    let lines = 0
    for await (const line of readLines(file)) {
      if (line === '') continue
      lines++
      yield { source: 'twitter-v1', line: retimedTweet(line, Date.now(), copy) }
    }
    if (lines === 0) return
  }
}

/** Resolves when `signal` aborts. */
const waitForAbort = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) resolve()
    else signal.addEventListener('abort', () => resolve(), { once: true })
  })

/**
 * The stack's API key: the one saved in the data directory while valid, else a new admin key
 * (`created`: it is shown once, then only kept in the file).
 */
async function stackKey(keys: ApiKeys, file: string): Promise<{ key: string; created: boolean }> {
  try {
    const saved = readFileSync(file, 'utf8').trim()
    if ((await keys.verify(saved)) !== undefined) return { key: saved, created: false }
  } catch {
    // No saved key yet.
  }
  const { key } = await keys.create('npm start', true)
  writeFileSync(file, `${key}\n`, { mode: 0o600 })
  chmodSync(file, 0o600)
  return { key, created: true }
}

/**
 * Everything in one process, each part a supervised component (see {@link Supervisor}): a
 * firehose replaying the real sample, a collector (raw log, uploads, hand-off), the speed layer
 * on the hand-off, the shredder and batch layer every `batchEveryMs` in a child process, the
 * watermark follower that expires speed rows, and the GraphQL API. A part that fails is retried
 * or restarted on its own; `/health` and `/metrics` report every part. Embedded adapters by
 * default; the URLs pick S3, Redis and Cassandra instead.
 */
export async function startStack(config: StackConfig): Promise<RunningStack> {
  mkdirSync(config.dataDir, { recursive: true })
  const objects = openObjectStore(config.store)
  const speedStore = await openSpeedStore(config.speedStore)
  const routes = await speedRoutes(speedStore)
  const catalog = new StreamCatalog(objects)
  const keys = new ApiKeys(objects)
  const keyFile = join(config.dataDir, 'api-key')
  const { key, created: keyCreated } = await stackKey(keys, keyFile)
  const owner = (await keys.verify(key))?.id ?? ''
  // The key starts with a stream that has data at once: every interaction.
  if (!(await catalog.list(owner)).some((s) => s.csdl === ALL_INTERACTIONS_CSDL))
    await catalog.create(ALL_INTERACTIONS_CSDL, 'everything', owner)

  const supervisor = new Supervisor((event, fields) => config.log(event, fields))
  const streams = new WatchedStreams(catalog)
  await streams.refresh()
  const follower = new WatermarkFollower(objects, speedStore, routes)
  await follower.refresh()
  const matches = openMatchChannel(config.queue)
  const recordings = new RecordingAppender(objects)
  await recordings.refresh()
  const worker = new SpeedWorker({
    store: speedStore,
    views: VIEWS,
    routes,
    ttlSeconds: 48 * 3600,
    flushMs: 50,
    streams: () => streams.set,
    watermark: () => follower.watermark,
    record: (job, m) => recordings.append(job, m),
    onMatches: (m) => {
      matches
        .publish(m)
        .catch((e: unknown) => config.log('matches_failed', { error: errorText(e) }))
    },
  })
  // With the in-process queue the collector and the speed worker share one instance.
  const handoff = openJobQueue<HandoffJob>(config.queue, HANDOFF_QUEUE)
  const consumer = handoff.consume((job) => worker.handle(job.id, job.data), { concurrency: 4 })
  const collector = await startCollector(
    {
      collector: 'stack',
      logDir: join(config.dataDir, 'log'),
      store: config.store,
      handoffQueue: handoff,
      maxSegmentAgeMs: config.segmentAgeMs,
      processMetrics: false,
    },
    config.log,
  )
  const cycles = new BatchCycleRunner(
    { store: config.store, workDir: join(config.dataDir, 'batch-work') },
    { child: config.batchInChild !== false },
  )

  // The speed worker's first interaction would load the language model on the API's thread.
  warmAugmenters()
  const checks = (): Promise<Record<string, HealthCheck>> => supervisor.checks()
  const api = await startApiService({
    objects,
    speedStore,
    routes,
    cacheDir: join(config.dataDir, 'view-cache'),
    http: config.http,
    refreshMs: 2000,
    graphiql: true,
    matches,
    handoff,
    log: config.log,
    extraChecks: checks,
    extraMetrics: [
      collector.metrics,
      speedMetrics({
        worker: () => worker.metrics,
        watermark: () => follower.watermark,
        streams: () => streams.size,
        defaultMetrics: false,
      }),
      componentMetrics(() => supervisor.states()),
    ],
  })

  // The parts, each on its own: a failure of one is retried and seen in /health, never fatal.
  if (config.rate > 0) {
    let sent = 0
    supervisor.longRunning('firehose', async (signal) => {
      const totals = await sendPaced(
        sampleForever(config.sampleFile, Date.now() % 1_000_000),
        (source, body) => collector.ingestor.ingest(source, body),
        {
          rate: config.rate,
          signal,
          batchMs: 200,
          ...(config.count === undefined ? {} : { count: config.count - sent }),
        },
      )
      sent += totals.records
      // Done as asked: the component rests (a restart would replay the sample again).
      if (config.count !== undefined && sent >= config.count) await waitForAbort(signal)
    })
  }
  supervisor.watched('collector', async () => {
    const report = await collector.health()
    const bad = Object.entries(report.checks).filter(([, c]) => c.status !== 'ok')
    if (report.status === 'failing')
      throw new Error(bad.map(([name, c]) => `${name}: ${c.detail}`).join('; '))
    const stats = collector.ingestor.getStats()
    return `${stats.accepted} records accepted${bad.length > 0 ? `; ${bad.map(([n, c]) => `${n}: ${c.detail}`).join('; ')}` : ''}`
  })
  supervisor.watched('speed', async () => {
    const counts = await handoff.counts()
    const m = worker.metrics
    return `${m.jobs} hand-off jobs, ${m.applied} interactions counted; ${counts.waiting} waiting`
  })
  supervisor.periodic('streams', 2000, async () => {
    await streams.refresh()
    return `${streams.size} streams`
  })
  supervisor.periodic('recordings', 1000, async () => {
    await recordings.refresh()
  })
  supervisor.periodic(
    'watermark',
    10_000,
    async () => {
      const { moved, dropped } = await follower.refresh()
      if (moved)
        config.log('watermark_moved', {
          watermark: new Date(follower.watermark).toISOString(),
          speedRowsDropped: dropped,
        })
      return Number.isFinite(follower.watermark)
        ? `watermark ${new Date(follower.watermark).toISOString()}`
        : 'no batch version yet'
    },
    { retryMs: 2000 },
  )
  const describe = (r: BatchCycleReport): string =>
    r.version === undefined
      ? `nothing new to publish (${Math.round(r.ms)} ms)`
      : `version ${r.version} published from ${r.segmentsShredded} segments, ${r.interactions} interactions (${Math.round(r.ms)} ms)`
  const batch = supervisor.periodic(
    'batch',
    config.batchEveryMs,
    async () => {
      const report = await cycles.run()
      if (report.version !== undefined) {
        const { moved, dropped } = await follower.refresh()
        await api.batch.refresh()
        config.log('batch_published', {
          version: report.version,
          watermark: new Date(report.watermark ?? 0).toISOString(),
          interactions: report.interactions,
          ms: Math.round(report.ms),
          speedRowsDropped: moved ? dropped : 0,
        })
      }
      return describe(report)
    },
    {
      firstAfterMs: config.batchEveryMs,
      retryMs: Math.min(5000, config.batchEveryMs),
      maxRetryMs: config.batchEveryMs,
      failingAfter: 3,
    },
  )

  return {
    api,
    key,
    keyCreated,
    keyFile,
    worker,
    matches,
    supervisor,
    batchNow: () => batch.trigger(),
    async stop() {
      const stopping = supervisor.stop()
      // A cycle under way is cut off (its child killed); the next start picks up from the store.
      await cycles.close()
      await stopping
      await collector.stop()
      await consumer.close()
      await worker.drain()
      await handoff.close()
      await api.close()
      await matches.close()
      await speedStore.close()
    },
  }
}
