import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { runBatchJob, type BatchTask } from '../../batch/index.js'
import { liveReplay, sendPaced, type HandoffJob } from '../../collectors/index.js'
import { ALL_INTERACTIONS_CSDL, StreamCatalog } from '../../query-dsl/index.js'
import { VIEWS } from '../../schemas/index.js'
import type { MatchChannel } from '../../schemas/ports/index.js'
import { ApiKeys } from '../../serving/index.js'
import { shred } from '../../shredder/index.js'
import { RecordingAppender, SpeedWorker, speedRoutes, WatchedStreams } from '../../speed/index.js'
import { openJobQueue } from '../adapters/open-job-queue.js'
import { openMatchChannel } from '../adapters/open-match-channel.js'
import { openObjectStore } from '../adapters/open-object-store.js'
import { openSpeedStore } from '../adapters/open-speed-store.js'
import { LevelShardStore } from '../adapters/view-shards/level-shard-store.js'
import type { QueueConfig, SpeedStoreConfig, StoreConfig } from '../config/adapter-urls.js'
import { startCollector } from '../collect/collector-service.js'
import { startApiService, type ApiService } from '../serve/api-service.js'
import { WatermarkFollower } from '../speed/watermark-follower.js'

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
  /** How often the shredder and a batch run go. */
  readonly batchEveryMs: number
  /** How soon a raw-log segment is sealed and uploaded. */
  readonly segmentAgeMs: number
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
  /** Runs the shredder and a batch job now (also done every `batchEveryMs`). */
  batchNow(): Promise<void>
  stop(): Promise<void>
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e))

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
 * Everything in one process: a firehose replaying the real sample, a collector (raw log,
 * uploads, hand-off), the speed layer on the hand-off, the shredder and batch layer every
 * `batchEveryMs`, and the GraphQL API. Embedded adapters by default; the URLs pick S3, Redis
 * and Cassandra instead.
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

  const streams = new WatchedStreams(catalog)
  await streams.refresh()
  const follower = new WatermarkFollower(objects, speedStore, routes)
  await follower.refresh()
  const matches = openMatchChannel(config.queue)
  const recordings = new RecordingAppender(objects)
  await recordings.refresh()
  const stopRecordings = recordings.follow((e) =>
    config.log('recordings_refresh_failed', { error: errorText(e) }),
  )
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
  const handoff = openJobQueue<HandoffJob>(config.queue, 'handoff')
  const consumer = handoff.consume((job) => worker.handle(job.id, job.data), { concurrency: 4 })
  const collector = await startCollector(
    {
      collector: 'stack',
      logDir: join(config.dataDir, 'log'),
      store: config.store,
      handoffQueue: handoff,
      maxSegmentAgeMs: config.segmentAgeMs,
    },
    config.log,
  )

  let batching: Promise<void> = Promise.resolve()
  const batchNow = (): Promise<void> => {
    batching = batching.then(async () => {
      const shredded = await shred({ store: objects, compact: false })
      // Nothing new since the last version (or no data at all yet): nothing to publish.
      if (shredded.segmentsShredded === 0) return
      const queue = openJobQueue<BatchTask>({ kind: 'memory' }, 'batch')
      try {
        const report = await runBatchJob({
          store: objects,
          queue,
          shardStore: new LevelShardStore(),
          views: VIEWS,
          workers: 1,
          workDir: join(config.dataDir, 'batch-work'),
        })
        const { moved, dropped } = await follower.refresh()
        await api.batch.refresh()
        config.log('batch_published', {
          version: report.version.version,
          watermark: new Date(report.version.watermark).toISOString(),
          interactions: shredded.interactions,
          speedRowsDropped: moved ? dropped : 0,
        })
      } finally {
        await queue.close()
      }
    })
    return batching.catch((e: unknown) => {
      config.log('batch_failed', { error: errorText(e) })
    })
  }

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
  })

  const abort = new AbortController()
  const source =
    config.rate <= 0
      ? Promise.resolve()
      : sendPaced(
          liveReplay(
            gunzipSync(readFileSync(config.sampleFile))
              .toString('utf8')
              .split('\n')
              .filter((l) => l !== ''),
            { firstCopy: Date.now() % 1_000_000 },
          ),
          (source, body) => collector.ingestor.ingest(source, body),
          { rate: config.rate, signal: abort.signal, batchMs: 200 },
        )
          .then(() => undefined)
          .catch((e: unknown) => config.log('source_failed', { error: errorText(e) }))
  const refresher = setInterval(() => {
    streams.refresh().catch((e: unknown) => config.log('streams_failed', { error: errorText(e) }))
  }, 2000)
  const batcher = setInterval(() => void batchNow(), config.batchEveryMs)

  return {
    api,
    key,
    keyCreated,
    keyFile,
    worker,
    matches,
    batchNow,
    async stop() {
      clearInterval(batcher)
      clearInterval(refresher)
      stopRecordings()
      abort.abort()
      await source
      await collector.stop()
      await batching.catch(() => undefined)
      await consumer.close()
      await worker.drain()
      await handoff.close()
      await api.close()
      await matches.close()
      await speedStore.close()
    },
  }
}
