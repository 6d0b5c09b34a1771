import { gunzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { BatchViews } from '../batch/index.js'
import { retimedTweet } from '../collectors/index.js'
import { openJobQueue } from '../infra/adapters/open-job-queue.js'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { LevelSpeedStore } from '../infra/adapters/speed-store/level-speed-store.js'
import { LevelShardStore } from '../infra/adapters/view-shards/level-shard-store.js'
import { startCollector, type RunningCollector } from '../infra/collect/collector-service.js'
import { FilterSet, StreamCatalog } from '../query-dsl/index.js'
import {
  bucketStart,
  HANDOFF_QUEUE,
  MASTER_REJECTS_PREFIX,
  nextBucket,
  readCollectorProgress,
  VIEWS,
  type HandoffJob,
} from '../schemas/index.js'
import { listAll, type QueueConsumer } from '../schemas/ports/index.js'
import { MergedViews, StreamAnalytics } from '../serving/index.js'
import { shred } from '../shredder/index.js'
import { SpeedViews, SpeedWorker } from '../speed/index.js'
import { runMemoryBatch } from './support/memory-batch.js'
import { dataLines } from './support/shared-data.js'
import { tempDir } from './support/temp-dir.js'
import { until } from './support/until.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const ROUTES = 4
const sample = dataLines('twitter-v1-sample.jsonl.gz').slice(0, 300)

describe('the batch boundary comes from what was received, not from the data', () => {
  const dir = tempDir('batch-boundary')
  const store = new LocalDirObjectStore(`${dir.path}/store`)
  const queue = openJobQueue<HandoffJob>({ kind: 'memory' }, HANDOFF_QUEUE)
  let collector: RunningCollector | undefined
  let consumer: QueueConsumer | undefined
  let speedStore: LevelSpeedStore | undefined
  let batch: BatchViews | undefined
  afterAll(async () => {
    await consumer?.close()
    await collector?.stop()
    await queue.close()
    await batch?.close()
    await speedStore?.close()
    dir.remove()
  })

  it('sets a record from a bad clock aside, keeps realtime on the speed layer, and counts a record from the past once, after the next batch run', async () => {
    const catalog = new StreamCatalog(store)
    await catalog.create('interaction.type == "twitter"', 'every tweet', 'alice')
    const set = new FilterSet()
    for (const d of await catalog.definitions()) set.add(d)
    const stream = (await catalog.definitions())[0]?.hash ?? ''
    speedStore = await LevelSpeedStore.open(`${dir.path}/speed`)
    let watermark = -Infinity
    const worker = new SpeedWorker({
      store: speedStore,
      views: VIEWS,
      routes: ROUTES,
      ttlSeconds: 48 * 3600,
      flushMs: 5,
      streams: () => set,
      watermark: () => watermark,
    })
    consumer = queue.consume((job) => worker.handle(job.id, job.data))
    const c = await startCollector(
      {
        collector: 'c1',
        logDir: `${dir.path}/log`,
        store: { kind: 'file', path: `${dir.path}/store` },
        handoffQueue: queue,
        http: { host: '127.0.0.1', port: 0 },
        maxSegmentAgeMs: 200,
        processMetrics: false,
      },
      () => undefined,
    )
    collector = c
    const post = async (lines: readonly string[]): Promise<number> => {
      const response = await fetch(`${c.url ?? ''}/v1/ingest/twitter-v1`, {
        method: 'POST',
        body: `${lines.join('\n')}\n`,
      })
      expect(response.status).toBe(202)
      return Date.now()
    }
    /** Shreds and runs batch once the collector vouches for everything posted before `after`. */
    const shredAndBatch = async (after: number) => {
      await until('the collector to report its uploads past the last post', async () =>
        (await readCollectorProgress(store)).some((p) => p.sealedThrough > after),
      )
      const shredded = await shred({ store, compact: false })
      const report = await runMemoryBatch(store, `${dir.path}/work`)
      watermark = report.version.watermark
      return { shredded, report }
    }

    // 200 ordinary tweets, created as they are sent, and one whose clock says 2031.
    const start = Date.now()
    const ordinary = sample.slice(0, 200).map((l, n) => retimedTweet(l, start - 200 + n, 0))
    const future = retimedTweet(sample[200] as string, Date.parse('2031-10-15T20:30:00Z'), 0)
    const firstPost = await post([...ordinary.slice(0, 100), future, ...ordinary.slice(100)])
    await until('the speed layer to read the first post', () => worker.metrics.lines >= 201)
    expect(worker.metrics.future).toBe(1)
    expect(worker.metrics.applied).toBe(200)

    const first = await shredAndBatch(firstPost)
    expect(first.shredded.futures).toBe(1)
    expect(first.shredded.interactions).toBe(200)
    const through = first.shredded.receivedThrough ?? NaN
    // The boundary is what was received: past the posts, never past the clock.
    expect(through).toBeGreaterThanOrEqual(firstPost)
    expect(through).toBeLessThanOrEqual(Date.now())
    expect(first.report.version.watermark).toBe(bucketStart(through, 'hour'))
    // The future record is set aside with its reason, not lost.
    const rejects: string[] = []
    for await (const o of listAll(store, MASTER_REJECTS_PREFIX)) {
      const bytes = await store.get(o.key)
      if (bytes !== undefined) rejects.push(...gunzipSync(bytes).toString('utf8').split('\n'))
    }
    const reasons = rejects.filter((l) => l !== '').map((l) => JSON.parse(l) as { code: string })
    expect(reasons.map((r) => r.code)).toEqual(['future_timestamp'])

    // Realtime goes on: new tweets are counted by the speed layer, not skipped as late.
    const later = Date.now()
    const fresh = sample.slice(201, 251).map((l, n) => retimedTweet(l, later + n, 0))
    const past = retimedTweet(sample[260] as string, later - 365 * DAY, 0)
    const secondPost = await post([...fresh, past])
    await until('the speed layer to read the second post', () => worker.metrics.lines >= 252)
    expect(worker.metrics.applied).toBe(250)
    expect(worker.metrics.late).toBe(1)

    batch = new BatchViews(store, new LevelShardStore(), `${dir.path}/cache`, VIEWS)
    await batch.refresh()
    const analytics = new StreamAnalytics(
      new MergedViews(batch, new SpeedViews(speedStore, VIEWS, ROUTES), VIEWS),
    )
    const from = bucketStart(later - 400 * DAY, 'day')
    const to = nextBucket(bucketStart(Date.now() + HOUR, 'day'), 'day')
    const total = async (a: number, b: number): Promise<number> =>
      (await analytics.timeseries({ stream, from: a, to: b, granularity: 'day' })).points.reduce(
        (n, p) => n + p.count,
        0,
      )
    const series = await analytics.timeseries({ stream, from, to, granularity: 'day' })
    expect(series.coverage.watermark).toBe(first.report.version.watermark)
    // Every ordinary and fresh tweet once; the one from the past not yet.
    expect(await total(from, to)).toBe(250)
    const pastDay = bucketStart(later - 365 * DAY, 'day')
    expect(await total(pastDay, nextBucket(pastDay, 'day'))).toBe(0)

    // The next batch run counts the late one, once; nothing else changes.
    const second = await shredAndBatch(secondPost)
    expect(second.shredded.interactions).toBe(51)
    expect(second.report.version.watermark).toBeLessThanOrEqual(Date.now())
    await batch.refresh()
    expect(await total(pastDay, nextBucket(pastDay, 'day'))).toBe(1)
    expect(await total(from, to)).toBe(251)
  }, 180_000)
})
