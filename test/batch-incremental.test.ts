import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  aggregateInteractions,
  BatchViews,
  deleteOldViewVersions,
  readViewManifest,
  runBatchJob,
  runBatchTask,
  storedFileKey,
  type BatchJobReport,
  type BatchTask,
  type ViewAggregates,
} from '../batch/index.js'
import { SyntheticFirehose } from '../collectors/index.js'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { MemoryJobQueue } from '../infra/adapters/queue/memory-queue-adapter.js'
import { LevelShardStore } from '../infra/adapters/view-shards/level-shard-store.js'
import { listAll, PermanentJobError } from '../schemas/ports/index.js'
import { FilterSet, StreamRegistry, type CompiledDefinition } from '../query-dsl/index.js'
import {
  augment,
  BATCH_GRANULARITIES,
  normalizeLine,
  readMasterSnapshot,
  topEntries,
  topView,
  VIEWS,
  type Interaction,
  type TopSummary,
  type View,
} from '../schemas/index.js'
import { shred } from '../shredder/index.js'
import { putRawSegment } from './support/raw-segments.js'
import { dataLines } from './support/shared-data.js'
import { tempDir } from './support/temp-dir.js'

// Top summaries compared exactly need a capacity above the distinct values (see views.test.ts).
const views = VIEWS.map((v) => (v.name === 'top' ? topView(1_000_000) : v))
const tweets = dataLines('twitter-v1-sample.jsonl.gz')
const reddit = dataLines('reddit-api-comments-sample.jsonl.gz').slice(0, 300)

/** Seeded synthetic records over three days, with duplicates and broken lines, per source. */
function synthetic(): Map<string, string[]> {
  let clock = Date.parse('2026-11-02T00:00:00Z')
  const firehose = new SyntheticFirehose({
    seed: 7,
    duplicateRate: 0.03,
    malformedRate: 0.01,
    now: () => (clock += 170_000),
  })
  const out = new Map<string, string[]>()
  for (let i = 0; i < 1500; i++) {
    const { source, line } = firehose.next()
    out.set(source, [...(out.get(source) ?? []), line])
  }
  return out
}
const generated = synthetic()

function compileAll(sources: readonly string[]): CompiledDefinition[] {
  const registry = new StreamRegistry()
  return sources.map((s) => {
    const r = registry.register(s)
    if (!r.ok) throw new Error(s)
    return r.definition
  })
}

/** The views computed straight from the raw records (normalized, deduplicated by id). */
function oracle(
  records: readonly { source: string; lines: readonly string[] }[],
  streams: readonly CompiledDefinition[],
): ViewAggregates {
  const seen = new Set<string>()
  const interactions: Interaction[] = []
  for (const { source, lines } of records)
    for (const line of lines) {
      const o = normalizeLine(line, source as 'twitter-v1')
      if (o.kind !== 'interactions') continue
      for (const i of o.interactions) {
        const id = i.interaction?.id ?? ''
        if (seen.has(id)) continue
        seen.add(id)
        interactions.push(augment(i))
      }
    }
  const set = new FilterSet()
  for (const s of streams) set.add(s)
  return aggregateInteractions(interactions, set, views)
}

const canonicalValue = (view: View, value: unknown): string =>
  view.name === 'top'
    ? JSON.stringify(topEntries(value as TopSummary, Infinity))
    : Buffer.from(view.monoid.encode(value)).toString('base64')

function canonical(a: ViewAggregates): Map<string, string> {
  const byName = new Map(views.map((v) => [v.name, v]))
  const out = new Map<string, string>()
  for (const [key, value] of a.values) {
    const view = byName.get(key.split('\u0001')[0] ?? '') as View
    out.set(key, canonicalValue(view, value))
  }
  return out
}

/** Every row the published version serves for `streams`, keyed as the oracle's aggregates. */
async function published(
  batchViews: BatchViews,
  streams: readonly CompiledDefinition[],
): Promise<Map<string, string>> {
  await batchViews.refresh()
  const out = new Map<string, string>()
  for (const stream of streams)
    for (const view of views)
      for (const granularity of BATCH_GRANULARITIES) {
        const answer = await batchViews.range({
          stream: stream.hash,
          view: view.name,
          granularity,
          from: 0,
          to: 4e12,
        })
        for (const row of answer.rows)
          out.set(
            [view.name, stream.hash, granularity, String(row.bucket), row.key].join('\u0001'),
            canonicalValue(view, row.value),
          )
      }
  return out
}

describe('batch runs build each version from the previous one, rewriting only changed days', () => {
  const dir = tempDir('batch-incremental')
  const store = new LocalDirObjectStore(`${dir.path}/store`)
  const shardStore = new LevelShardStore()
  const batchViews = new BatchViews(store, shardStore, `${dir.path}/cache`, views)
  const records = [
    { source: 'twitter-v1', lines: tweets.slice(0, 1200) },
    { source: 'reddit', lines: reddit },
    ...[...generated].map(([source, lines]) => ({ source, lines })),
  ]
  let streams = compileAll([
    'interaction.id exists',
    'language.tag == "en" or interaction.type == "reddit"',
  ])

  const run = async (options: { full?: boolean } = {}): Promise<BatchJobReport> => {
    const queue = new MemoryJobQueue<BatchTask>()
    try {
      return await runBatchJob({
        store,
        queue,
        shardStore,
        views,
        streams,
        workers: 1,
        workDir: `${dir.path}/work`,
        pollMs: 20,
        shards: 3,
        ...options,
      })
    } finally {
      await queue.close()
    }
  }

  beforeAll(async () => {
    await putRawSegment(store, {
      source: 'twitter-v1',
      date: '2026-11-20',
      segment: 0,
      records: tweets.slice(0, 1200),
    })
    await putRawSegment(store, {
      source: 'reddit',
      date: '2026-11-20',
      segment: 0,
      records: reddit,
    })
    for (const [source, lines] of generated)
      await putRawSegment(store, { source, date: '2026-11-04', segment: 0, records: lines })
    await shred({ store, compact: false })
  }, 60_000)
  afterAll(async () => {
    await batchViews.close()
    dir.remove()
  })

  it('first builds everything, and serves what folding the raw records gives', async () => {
    const report = await run()
    expect(report.incremental).toBe(false)
    expect(report.tasks).toBe(report.partitions)
    expect(report.partialsComputed).toBe(report.partitions * streams.length)
    expect(report.changedPartitions).toHaveLength(report.partitions)
    const want = canonical(oracle(records, streams))
    expect(want.size).toBeGreaterThan(1000)
    expect(await published(batchViews, streams)).toEqual(want)
  })

  it('reuses every partial and rewrites nothing when nothing changed', async () => {
    const report = await run()
    expect(report.incremental).toBe(true)
    expect(report.tasks).toBe(0)
    expect(report.partialsReused).toBe(report.partitions * streams.length)
    expect(report.streamDaysRebuilt).toBe(0)
    expect(report.version.rowsWritten).toBe(0)
    expect(report.version.base).toBe(report.version.version - 1)
    expect(await published(batchViews, streams)).toEqual(canonical(oracle(records, streams)))
  })

  it('recomputes only the partitions a late record changed, and rewrites only their days', async () => {
    const before = await readMasterSnapshot(store)
    const late = tweets.slice(1200, 1260)
    await putRawSegment(store, {
      source: 'twitter-v1',
      date: '2026-11-22',
      segment: 0,
      records: late,
    })
    await shred({ store, compact: false })
    const after = await readMasterSnapshot(store)
    const changed = new Set(
      [...after.parts.values()]
        .filter((p) => !before.parts.has(p.key))
        .map((p) => `${p.type}/${p.date}`),
    )
    expect(changed.size).toBeGreaterThan(0)
    const report = await run()
    expect(report.incremental).toBe(true)
    expect(new Set(report.changedPartitions)).toEqual(changed)
    expect(report.tasks).toBe(changed.size)
    expect(report.partialsReused).toBe((report.partitions - changed.size) * streams.length)
    const changedDays = new Set([...changed].map((p) => p.split('/')[1]))
    expect(report.streamDaysRebuilt).toBe(changedDays.size * streams.length)
    records.push({ source: 'twitter-v1', lines: late })
    expect(await published(batchViews, streams)).toEqual(canonical(oracle(records, streams)))
  })

  it('computes only a newly registered stream, and drops a deleted one', async () => {
    const [all, english] = streams as [CompiledDefinition, CompiledDefinition]
    streams = [all, english, ...compileAll(['interaction.hashtags exists'])]
    const added = await run()
    expect(added.newStreams).toBe(1)
    expect(added.partialsComputed).toBe(added.partitions)
    expect(added.partialsReused).toBe(added.partitions * 2)
    expect(await published(batchViews, streams)).toEqual(canonical(oracle(records, streams)))

    streams = [all, streams[2] as CompiledDefinition]
    const dropped = await run()
    expect(dropped.tasks).toBe(0)
    expect(dropped.version.streams).toEqual([...streams.map((s) => s.hash)].sort())
    expect(await published(batchViews, [english])).toEqual(new Map())
    expect(await published(batchViews, streams)).toEqual(canonical(oracle(records, streams)))
  })

  it('gives the same rows when asked to rebuild everything', async () => {
    const incremental = await published(batchViews, streams)
    const report = await run({ full: true })
    expect(report.incremental).toBe(false)
    expect(report.version.rowsWritten).toBe(incremental.size)
    expect(await published(batchViews, streams)).toEqual(incremental)
  })

  it('builds the shards itself when the workers fail them for good', async () => {
    const rows = await published(batchViews, streams)
    const queue = new MemoryJobQueue<BatchTask>()
    const context = { store, views, shardStore, workDir: `${dir.path}/other-worker`, streams }
    let refused = 0
    const worker = queue.consume(async (job) => {
      if (job.data.kind === 'shard') {
        refused++
        throw new PermanentJobError('this worker cannot build shards')
      }
      await runBatchTask(context, job.data)
    })
    try {
      const report = await runBatchJob({
        store,
        queue,
        shardStore,
        views,
        streams,
        workers: 0,
        workDir: `${dir.path}/work`,
        pollMs: 20,
        shards: 3,
        full: true,
      })
      expect(refused).toBe(3)
      expect(report.shardsBuiltLocally).toBe(3)
      expect(await published(batchViews, streams)).toEqual(rows)
    } finally {
      await worker.close()
      await queue.close()
    }
  })

  it('shares unchanged table files with earlier versions, and keeps them when those are deleted', async () => {
    // A reopened shard turns its write-ahead log into a table file, which the next build shares.
    await run()
    const report = await run()
    const manifest = report.version
    const shared = Object.values(manifest.views)
      .flat(2)
      .filter((f) => f.storedIn !== undefined)
    expect(shared.length).toBeGreaterThan(0)
    const rows = await published(batchViews, streams)
    const deleted = await deleteOldViewVersions(store, { keep: 1, graceMs: 0 })
    expect(deleted.length).toBeGreaterThan(0)
    for (const version of deleted) expect(await readViewManifest(store, version)).toBeUndefined()
    const left: string[] = []
    for await (const o of listAll(store, 'views/')) left.push(o.key)
    const needed = new Set(
      Object.entries(manifest.views).flatMap(([view, shards]) =>
        shards.flatMap((files, shard) =>
          files.map((f) => storedFileKey(view, manifest.version, shard, f)),
        ),
      ),
    )
    // Every file the current version lists is there; no file of a deleted version is left that
    // the current version does not list.
    for (const key of needed) expect(left).toContain(key)
    for (const key of left) {
      const version = Number(/\/v(\d+)\//.exec(key)?.[1] ?? manifest.version)
      if (key.includes('/shard-') && version !== manifest.version)
        expect(needed.has(key), key).toBe(true)
    }
    const fresh = new BatchViews(store, shardStore, `${dir.path}/cache-fresh`, views)
    try {
      expect(await published(fresh, streams)).toEqual(rows)
    } finally {
      await fresh.close()
    }
  })
})
