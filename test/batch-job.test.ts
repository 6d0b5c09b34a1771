import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BatchViews, runBatchJob, type BatchTask } from '../batch/index.js'
import { openJobQueue } from '../infra/adapters/open-job-queue.js'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { LevelShardStore } from '../infra/adapters/view-shards/level-shard-store.js'
import { parseQueueUrl, type QueueConfig } from '../infra/config/adapter-urls.js'
import type { LaunchedProcess } from '../infra/launchers/launched-process.js'
import { startRedis } from '../infra/launchers/redis-launcher.js'
import { FilterSet, StreamCatalog } from '../query-dsl/index.js'
import {
  arrowToInteractions,
  bucketStart,
  readMasterSnapshot,
  scanMaster,
  VIEWS,
} from '../schemas/index.js'
import { Table } from 'apache-arrow'
import { shred } from '../shredder/index.js'
import { chosenAdapters } from './support/adapter-choice.js'
import { putRawSegment } from './support/raw-segments.js'
import { dataLines } from './support/shared-data.js'
import { tempDir } from './support/temp-dir.js'

const ADAPTERS = chosenAdapters('SLUICE_TEST_QUEUES', ['memory', 'redis'] as const)

describe.each(ADAPTERS)('sluice batch run through a %s queue with two workers', (adapter) => {
  const dir = tempDir(`batch-job-${adapter}`)
  const store = new LocalDirObjectStore(`${dir.path}/store`)
  const shardStore = new LevelShardStore()
  let redis: { process: LaunchedProcess; url: string } | undefined
  const config = (): QueueConfig =>
    adapter === 'memory'
      ? { kind: 'memory' }
      : parseQueueUrl('queue', `${redis?.url ?? ''}?prefix=b${randomUUID()}`)

  beforeAll(async () => {
    if (adapter === 'redis') redis = await startRedis()
    await putRawSegment(store, {
      source: 'twitter-v1',
      date: '2026-11-20',
      segment: 0,
      records: dataLines('twitter-v1-sample.jsonl.gz').slice(0, 900),
    })
    await putRawSegment(store, {
      source: 'reddit',
      date: '2026-11-20',
      segment: 0,
      records: dataLines('reddit-api-submissions-sample.jsonl.gz').slice(0, 200),
    })
    await shred({ store, compact: false })
    const catalog = new StreamCatalog(store)
    await catalog.create('language.tag == "en"', 'english', 'alice')
    await catalog.create('interaction.type == "reddit"', 'reddit', 'bob')
  }, 60_000)
  afterAll(async () => {
    await redis?.process.stop()
    dir.remove()
  })

  const run = async () => {
    const queue = openJobQueue<BatchTask>(config(), 'batch')
    try {
      return await runBatchJob({
        store,
        queue,
        shardStore,
        views: VIEWS,
        workers: 2,
        workDir: `${dir.path}/work`,
        pollMs: 50,
      })
    } finally {
      await queue.close()
    }
  }

  it('has the workers compute every partition once, then publishes the merged views', async () => {
    const report = await run()
    const streams = await new StreamCatalog(store).definitions()
    expect(streams).toHaveLength(3)
    expect(report.tasks).toBe(report.partitions)
    expect(report.partialsComputedLocally).toBe(0)
    expect(report.shardsBuiltLocally).toBe(0)
    expect(report.partialsComputed).toBe(report.partitions * 3)
    expect(report.version.version).toBe(1)
    const snapshot = await readMasterSnapshot(store)
    expect(report.version.masterVersion).toBe(snapshot.version)
    // The watermark is the hour of what was received (here each record a second after it was
    // created, the newest receipt vouching for the raw log as stored), not of created_at.
    const newest = Math.max(...[...snapshot.parts.values()].map((p) => p.createdAtMax))
    expect(snapshot.receivedThrough).toBeGreaterThan(newest)
    expect(report.version.watermark).toBe(bucketStart(snapshot.receivedThrough ?? NaN, 'hour'))

    // What the published version answers is what matching the master dataset gives.
    const set = new FilterSet()
    for (const stream of streams) set.add(stream)
    const matched = new Map<string, number>()
    for await (const batch of scanMaster(store, {
      from: 0,
      to: 4e12,
      columns: ['interaction.id', 'interaction.type', 'language.tag'],
    }))
      for (const i of arrowToInteractions(new Table([batch])))
        for (const m of set.match(i)) matched.set(m.hash, (matched.get(m.hash) ?? 0) + 1)
    const views = new BatchViews(store, shardStore, `${dir.path}/cache`, VIEWS)
    await views.refresh()
    for (const stream of streams) {
      const total = await views.merged({
        stream: stream.hash,
        view: 'volume',
        granularity: 'month',
        from: 0,
        to: 4e12,
      })
      expect(total.values.get('')).toBe(matched.get(stream.hash))
      expect(matched.get(stream.hash)).toBeGreaterThan(0)
    }
    await views.close()
  }, 120_000)

  it('has nothing to hand out when nothing changed, and publishes the next version', async () => {
    const report = await run()
    expect(report.tasks).toBe(0)
    expect(report.partialsReused).toBe(report.partitions * 3)
    expect(report.version.rowsWritten).toBe(0)
    expect(report.version.version).toBe(2)
  }, 60_000)
})
