import { gunzipSync } from 'node:zlib'
import { createHash } from 'node:crypto'
import { DuckDBInstance } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BatchViews } from '../batch/index.js'
import { replayedRecords } from '../bench/replayed-firehose.js'
import { openJobQueue } from '../infra/adapters/open-job-queue.js'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { LevelSpeedStore } from '../infra/adapters/speed-store/level-speed-store.js'
import { LevelShardStore } from '../infra/adapters/view-shards/level-shard-store.js'
import { FilterSet, StreamCatalog, type CompiledDefinition } from '../query-dsl/index.js'
import { emptyScanStats, envelopePrefix, readMasterSnapshot, VIEWS } from '../schemas/index.js'
import type { JobQueue, QueueConsumer } from '../schemas/ports/index.js'
import {
  cancelReplay,
  createReplay,
  MergedViews,
  readReplayJob,
  ReplayStatusReader,
  ReplayStopped,
  ReplayWorker,
  scanReplayPartition,
  StreamAnalytics,
  type ReplayPartition,
  type ReplayStatus,
  type ReplayTask,
} from '../serving/index.js'
import { shred } from '../shredder/index.js'
import { SpeedViews, SpeedWorker } from '../speed/index.js'
import { runMemoryBatch } from './support/memory-batch.js'
import { putRawSegment } from './support/raw-segments.js'
import { sharedDataDir } from './support/shared-data.js'
import { tempDir } from './support/temp-dir.js'
import { until } from './support/until.js'

const HOUR = 3_600_000
const START = Date.parse('2026-11-18T09:00:00Z')
const RECORDS = 4000
// Four days, so a replay has several day partitions and chunks.
const records = [
  ...replayedRecords({
    dataDir: sharedDataDir(),
    records: RECORDS,
    start: START,
    windowMs: 96 * HOUR,
  }),
]

interface OutputRecord {
  readonly interaction: { readonly id: string; readonly created_at: string }
  readonly sluice: { readonly streams: readonly string[]; readonly tags: readonly string[] }
}

describe('historical replays', () => {
  const dir = tempDir('replay')
  const store = new LocalDirObjectStore(`${dir.path}/store`)
  let queue: JobQueue<ReplayTask>
  const consumers: QueueConsumer[] = []
  let english: CompiledDefinition
  /** Interaction id → created_at (ms) of what the speed layer published for `english`. */
  const live = new Map<string, number>()
  let analytics: StreamAnalytics
  let batch: BatchViews
  let speedStore: LevelSpeedStore

  beforeAll(async () => {
    const catalog = new StreamCatalog(store)
    await catalog.create('language.tag == "en"', 'english', 'alice')
    english = (await catalog.definitions()).find((d) =>
      d.source.includes('"en"'),
    ) as CompiledDefinition
    // The speed layer sees every interaction and publishes its matches.
    const set = new FilterSet()
    for (const d of await catalog.definitions()) set.add(d)
    speedStore = await LevelSpeedStore.open(`${dir.path}/speed`)
    const worker = new SpeedWorker({
      store: speedStore,
      views: VIEWS,
      routes: 4,
      ttlSeconds: 3600,
      flushMs: 5,
      streams: () => set,
      watermark: () => -Infinity,
      onMatches: (matches) => {
        for (const m of matches)
          if (m.stream === english.hash)
            live.set(
              m.interaction.interaction?.id ?? '',
              m.interaction.interaction?.created_at ?? 0,
            )
      },
    })
    for (let n = 0; n < RECORDS; n += 500)
      await worker.handle(`c1-0-${n}`, {
        lines: records
          .slice(n, n + 500)
          .map(
            (r, k) =>
              `${envelopePrefix('twitter-v1', '2026-11-23T00:00:00.000Z', 'c1', 0, n + k, undefined)}${r}}`,
          ),
      })
    await worker.drain()
    // Two raw segments, shredded into the master dataset, and a batch version over it.
    await putRawSegment(store, {
      source: 'twitter-v1',
      date: '2026-11-22',
      segment: 0,
      records: records.slice(0, 2500),
    })
    await putRawSegment(store, {
      source: 'twitter-v1',
      date: '2026-11-22',
      segment: 1,
      records: records.slice(2500),
    })
    await shred({ store, compact: false })
    await runMemoryBatch(store, `${dir.path}/work`)
    batch = new BatchViews(store, new LevelShardStore(), `${dir.path}/cache`, VIEWS)
    await batch.refresh()
    analytics = new StreamAnalytics(
      new MergedViews(batch, new SpeedViews(speedStore, VIEWS, 4), VIEWS),
    )
    queue = openJobQueue<ReplayTask>({ kind: 'memory' }, 'replays')
    const worker2 = new ReplayWorker(store)
    consumers.push(worker2.consume(queue), new ReplayWorker(store).consume(queue))
  }, 180_000)

  afterAll(async () => {
    for (const c of consumers) await c.close()
    await queue.close()
    await batch.close()
    await speedStore.close()
    dir.remove()
  })

  const reader = new ReplayStatusReader(store)
  async function finished(id: string): Promise<ReplayStatus> {
    const job = await readReplayJob(store, id)
    if (job === undefined) throw new Error(`no replay ${id}`)
    let status = await reader.status(job)
    await until(`replay ${id} to finish`, async () => {
      status = await reader.status(job)
      return status.state === 'done' || status.state === 'failed'
    })
    return status
  }

  async function output(status: ReplayStatus): Promise<OutputRecord[]> {
    const out: OutputRecord[] = []
    for (const chunk of status.manifest?.chunks ?? []) {
      const body = (await store.get(chunk.key)) as Uint8Array
      expect(createHash('sha256').update(body).digest('hex')).toBe(chunk.sha256)
      expect(body.byteLength).toBe(chunk.bytes)
      const lines = gunzipSync(body)
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== '')
      expect(lines.length).toBe(chunk.records)
      out.push(...lines.map((l) => JSON.parse(l) as OutputRecord))
    }
    return out
  }

  it('matches what the speed layer published live and what the batch view counts, in order, each once', async () => {
    // Whole hours inside the data, crossing three day boundaries.
    const from = START + 5 * HOUR
    const to = START + 80 * HOUR
    const job = await createReplay(
      store,
      queue,
      { owner: 'alice', csdl: english.source, stream: english.hash, from, to, format: 'ndjson' },
      { chunkRecords: 200 },
    )
    expect(job.hash).toBe(english.hash)
    expect(job.partitions.map((p) => p.date)).toEqual([
      '2026-11-18',
      '2026-11-19',
      '2026-11-20',
      '2026-11-21',
    ])
    const status = await finished(job.id)
    expect(status.state).toBe('done')
    expect(status.partitionsDone).toBe(4)
    const got = await output(status)
    const want = [...live].filter(([, at]) => at >= from && at < to)
    expect(want.length).toBeGreaterThan(500)
    expect(got.map((r) => r.interaction.id).sort()).toEqual(want.map(([id]) => id).sort())
    expect(new Set(got.map((r) => r.interaction.id)).size).toBe(got.length)
    const times = got.map((r) => Date.parse(r.interaction.created_at))
    expect(times).toEqual([...times].sort((a, b) => a - b))
    for (const r of got) expect(r.sluice.streams).toEqual([english.hash])
    expect(status.matches).toBe(got.length)
    expect(status.manifest?.records).toBe(got.length)
    // Several chunks, chronological across them.
    expect(status.manifest?.chunks.length).toBeGreaterThan(4)
    // The batch view's count over the same interval.
    const series = await analytics.timeseries({
      stream: english.hash,
      from,
      to,
      granularity: 'hour',
    })
    expect(series.points.reduce((n, p) => n + p.count, 0)).toBe(got.length)
    expect(status.rowsScanned).toBeGreaterThan(got.length)
  }, 120_000)

  it('scans a partition once for every replay that needs it, each getting its own matches', async () => {
    const asks = [
      { csdl: english.source, from: START + 5 * HOUR, to: START + 80 * HOUR },
      { csdl: 'interaction.hashtags exists', from: START, to: START + 96 * HOUR },
      { csdl: english.source, from: START + 30 * HOUR, to: START + 60 * HOUR },
      { csdl: 'links.domain exists', from: START + 20 * HOUR, to: START + 90 * HOUR },
    ]
    const idsOf = async (status: ReplayStatus): Promise<string[]> =>
      (await output(status)).map((r) => r.interaction.id)
    // Each alone, one after another.
    const alone: string[][] = []
    for (const a of asks) {
      const job = await createReplay(store, queue, { owner: 'bob', ...a, format: 'ndjson' })
      alone.push(await idsOf(await finished(job.id)))
    }
    // All at once, queued before one worker starts: its first task scans for all of them.
    const shared = openJobQueue<ReplayTask>({ kind: 'memory' }, 'replays-shared')
    const jobs = []
    for (const a of asks)
      jobs.push(await createReplay(store, shared, { owner: 'bob', ...a, format: 'ndjson' }))
    const outcomes: string[] = []
    const consumer = new ReplayWorker(store, (_task, outcome) => outcomes.push(outcome)).consume(
      shared,
    )
    try {
      for (const [n, job] of jobs.entries())
        expect(await idsOf(await finished(job.id))).toEqual(alone[n])
    } finally {
      await consumer.close()
      await shared.close()
    }
    // One scan per day did the work of every replay's task for that day.
    const days = new Set(jobs.flatMap((j) => j.partitions.map((p) => p.date)))
    const tasks = jobs.reduce((n, j) => n + j.partitions.length, 0)
    expect(days.size).toBe(5)
    expect(outcomes.filter((o) => o === 'done').length).toBe(days.size)
    expect(outcomes.filter((o) => o === 'already-done').length).toBe(tasks - days.size)
  }, 120_000)

  it('writes Parquet chunks another engine reads: the same records, in order, with their streams', async () => {
    const ask = {
      owner: 'carol',
      csdl: english.source,
      from: START + 10 * HOUR,
      to: START + 70 * HOUR,
    }
    const ndjson = await finished(
      (await createReplay(store, queue, { ...ask, format: 'ndjson' }, { chunkRecords: 300 })).id,
    )
    const parquet = await finished(
      (await createReplay(store, queue, { ...ask, format: 'parquet' }, { chunkRecords: 300 })).id,
    )
    expect(parquet.state).toBe('done')
    const keys = parquet.manifest?.chunks.map((c) => c.key) ?? []
    expect(keys.length).toBeGreaterThan(1)
    expect(keys.every((k) => k.endsWith('.parquet'))).toBe(true)
    const duck = await (await DuckDBInstance.create(':memory:')).connect()
    try {
      const ids: string[] = []
      for (const key of keys) {
        const rows = (
          await duck.runAndReadAll(
            `SELECT "interaction.id", "sluice.streams"::VARCHAR FROM read_parquet('${dir.path}/store/${key}')`,
          )
        ).getRows() as [string, string][]
        for (const [id, streams] of rows) {
          ids.push(id)
          expect(streams).toBe(`[${english.hash}]`)
        }
      }
      expect(ids).toEqual((await output(ndjson)).map((r) => r.interaction.id))
    } finally {
      duck.closeSync()
    }
  }, 120_000)

  it('backfills a stream registered later at the next batch run, and says when it is complete', async () => {
    const late = await new StreamCatalog(store).create(
      'interaction.hashtags exists',
      'tags',
      'dave',
    )
    const from = START
    const to = START + 90 * HOUR
    expect(analytics.history(late.hash).complete).toBe(false)
    const before = await analytics.timeseries({ stream: late.hash, from, to, granularity: 'hour' })
    expect(before.points.reduce((n, p) => n + p.count, 0)).toBe(0)
    const report = await runMemoryBatch(store, `${dir.path}/work`)
    expect(report.newStreams).toBe(1)
    await batch.refresh()
    expect(analytics.history(late.hash)).toMatchObject({
      complete: true,
      version: report.version.version,
    })
    // The history now counts: as many as a replay of the same filter over the same hours finds.
    const end = Math.min(to, report.version.watermark)
    const after = await analytics.timeseries({
      stream: late.hash,
      from,
      to: end,
      granularity: 'hour',
    })
    const replay = await finished(
      (
        await createReplay(store, queue, {
          owner: 'dave',
          csdl: late.csdl,
          from,
          to: end,
          format: 'ndjson',
        })
      ).id,
    )
    expect(replay.matches).toBeGreaterThan(100)
    expect(after.points.reduce((n, p) => n + p.count, 0)).toBe(replay.matches)
  }, 120_000)

  it('stops a scan between record batches once its replay is cancelled', async () => {
    const snapshot = await readMasterSnapshot(store)
    let checks = 0
    await expect(
      scanReplayPartition({
        store,
        snapshot,
        type: 'twitter',
        date: '2026-11-19',
        filters: [{ key: 'k', definition: english, from: START, to: START + 96 * HOUR }],
        // Cancelled while the first batch was being read.
        stopped: () => ++checks > 0,
        stats: emptyScanStats(),
        replay: 'r_cancelled',
      }),
    ).rejects.toThrow(ReplayStopped)
    expect(checks).toBe(1)
  })

  it('finishes at once with no output when no partition holds the range, and stops when cancelled', async () => {
    const empty = await createReplay(store, queue, {
      owner: 'alice',
      csdl: english.source,
      from: START - 100 * HOUR,
      to: START - 90 * HOUR,
      format: 'ndjson',
    })
    const none = await finished(empty.id)
    expect(none.manifest?.records).toBe(0)
    expect(none.chunks).toEqual([])
    // Cancelled before any worker takes the rest of its tasks: they do nothing.
    const idle = openJobQueue<ReplayTask>({ kind: 'memory' }, 'replays-idle')
    const cancelled = await createReplay(store, idle, {
      owner: 'alice',
      csdl: english.source,
      from: START,
      to: START + 96 * HOUR,
      format: 'ndjson',
    })
    // One day's task done by hand: that day's chunks are ready while the rest waits.
    const firstDay = cancelled.partitions[0] as ReplayPartition
    await new ReplayWorker(store).run({ replay: cancelled.id, ...firstDay })
    const partial = await reader.status(cancelled)
    expect(partial.state).toBe('running')
    expect(partial.manifest).toBeUndefined()
    expect(partial.chunks.length).toBeGreaterThan(0)
    expect(partial.chunks.every((c) => c.key.includes(`/chunks/${firstDay.date}-`))).toBe(true)
    await cancelReplay(store, cancelled.id)
    const late = new ReplayWorker(store).consume(idle)
    await until('the cancelled tasks to be taken', async () => {
      const c = await idle.counts()
      return c.waiting + c.active + c.delayed === 0
    })
    await late.close()
    await idle.close()
    const status = await reader.status(cancelled)
    expect(status.state).toBe('cancelled')
    expect(status.manifest).toBeUndefined()
    expect(status.partitionsDone).toBe(1)
  }, 60_000)
})
