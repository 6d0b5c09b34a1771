import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  aggregateInteractions,
  BatchViews,
  publishViews,
  ShardChecksumError,
  deleteOldViewVersions,
  type ViewAggregates,
  type ViewAnswer,
} from '../batch/index.js'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { LevelShardStore } from '../infra/adapters/view-shards/level-shard-store.js'
import { FilterSet, StreamRegistry } from '../query-dsl/index.js'
import {
  bucketStart,
  dimensionKey,
  topEntries,
  VIEWS,
  type Interaction,
  type TopSummary,
} from '../schemas/index.js'
import { listAll, type ObjectStore } from '../schemas/ports/index.js'
import { interactionsOf } from './support/normalized-corpus.js'
import { tempDir } from './support/temp-dir.js'

const tweets: readonly Interaction[] = interactionsOf('twitter-v1-sample.jsonl.gz').slice(0, 4000)
const registry = new StreamRegistry()
const streams = ['interaction.id exists', 'language.tag == "en"'].map((s) => {
  const r = registry.register(s)
  if (!r.ok) throw new Error(s)
  return r.definition
})
const set = new FilterSet()
for (const s of streams) set.add(s)
const [all, english] = streams.map((s) => s.hash) as [string, string]
const FROM = Date.parse('2000-01-01T00:00:00Z')
const TO = Date.parse('2030-01-01T00:00:00Z')

/** What a query must answer from `aggregates`: volume per day of a stream, in bucket order. */
function expectedVolume(aggregates: ViewAggregates, stream: string): [number, number][] {
  const out: [number, number][] = []
  for (const [key, value] of aggregates.values) {
    const [view, s, granularity, bucket] = key.split('\u0001')
    if (view === 'volume' && s === stream && granularity === 'day')
      out.push([Number(bucket), value as number])
  }
  return out.sort((a, b) => a[0] - b[0])
}

async function keys(store: ObjectStore, prefix: string): Promise<string[]> {
  const out: string[] = []
  for await (const o of listAll(store, prefix)) out.push(o.key)
  return out
}

const volumeOf = (answer: ViewAnswer): [number, number][] =>
  answer.rows.map((r) => [r.bucket, r.value as number])

describe('published batch views: versions swapped atomically under load', () => {
  const dir = tempDir('batch-views')
  const store = new LocalDirObjectStore(`${dir.path}/store`)
  const shardStore = new LevelShardStore()
  const v1 = aggregateInteractions(tweets.slice(0, 2000), set, VIEWS)
  const v2 = aggregateInteractions(tweets, set, VIEWS)
  let views: BatchViews

  beforeAll(async () => {
    await publishViews(store, shardStore, v1, {
      watermark: 1_000,
      masterVersion: 1,
      shards: 3,
      workDir: `${dir.path}/work`,
    })
    views = new BatchViews(store, shardStore, `${dir.path}/cache`, VIEWS)
    expect(await views.refresh()).toBe(1)
  }, 60_000)
  afterAll(async () => {
    await views.close()
    dir.remove()
  })

  it('answers a stream’s time range from its shard, with the version and watermark used', async () => {
    const answer = await views.range({
      stream: all,
      view: 'volume',
      granularity: 'day',
      from: FROM,
      to: TO,
    })
    expect(answer.version).toBe(1)
    expect(answer.watermark).toBe(1_000)
    expect(volumeOf(answer)).toEqual(expectedVolume(v1, all))
    expect(volumeOf(answer).length).toBeGreaterThan(10)
    const some = volumeOf(answer)[5] as [number, number]
    const narrow = await views.range({
      stream: all,
      view: 'volume',
      granularity: 'day',
      from: some[0],
      to: some[0] + 1,
    })
    expect(volumeOf(narrow)).toEqual([some])
    const languages = await views.range({
      stream: english,
      view: 'volume_by',
      granularity: 'month',
      from: FROM,
      to: TO,
      keyPrefix: dimensionKey('language', ''),
    })
    expect(languages.rows.length).toBeGreaterThan(0)
    expect(languages.rows.every((r) => r.key === dimensionKey('language', 'en'))).toBe(true)
    // Merged over the range: one value per key.
    const total = await views.merged({
      stream: all,
      view: 'volume',
      granularity: 'month',
      from: FROM,
      to: TO,
    })
    expect(total.values.get('')).toBe(volumeOf(answer).reduce((n, [, v]) => n + v, 0))
    const authors = await views.merged({
      stream: all,
      view: 'unique_authors',
      granularity: 'day',
      from: FROM,
      to: TO,
    })
    const distinct = new Set(tweets.slice(0, 2000).map((t) => t.interaction?.author?.username)).size
    const estimate = (authors.values.get('') as { estimate(): number }).estimate()
    expect(Math.abs(estimate - distinct) / distinct).toBeLessThan(0.05)
  })

  it('answers volume by dimension, top values and unique authors as merged values', async () => {
    const sample = tweets.slice(0, 2000)
    const byLanguage = await views.volume({
      stream: all,
      granularity: 'month',
      from: FROM,
      to: TO,
      dimension: 'language',
    })
    expect(byLanguage.version).toBe(1)
    const want = new Map<string, number>()
    for (const t of sample) {
      const tag = t.language?.tag
      if (tag === undefined) continue
      const at = `${bucketStart(t.interaction?.created_at ?? 0, 'month')}/${tag}`
      want.set(at, (want.get(at) ?? 0) + 1)
    }
    expect(new Map(byLanguage.rows.map((r) => [`${r.bucket}/${r.value}`, r.count]))).toEqual(want)

    const hashtags = new Map<string, number>()
    for (const t of sample)
      for (const h of t.interaction?.hashtags ?? []) hashtags.set(h, (hashtags.get(h) ?? 0) + 1)
    const top = await views.top({
      stream: all,
      dimension: 'hashtags',
      granularity: 'day',
      from: FROM,
      to: TO,
    })
    const entries = topEntries(top.summary as TopSummary, 10)
    expect(entries.length).toBe(10)
    for (const e of entries) {
      expect(e.count).toBeGreaterThanOrEqual(hashtags.get(e.value) ?? 0)
      expect(e.count - e.error).toBeLessThanOrEqual(hashtags.get(e.value) ?? 0)
    }
    // Past 200 distinct values counts are bounds, so the heaviest is among the first, not first.
    const heaviest = [...hashtags].sort((a, b) => b[1] - a[1])[0] as [string, number]
    expect(entries.map((e) => e.value)).toContain(heaviest[0])

    const authors = await views.uniques({
      stream: english,
      granularity: 'hour',
      from: FROM,
      to: TO,
    })
    const distinct = new Set(
      sample.filter((t) => t.language?.tag === 'en').map((t) => t.interaction?.author?.username),
    ).size
    const estimate = authors.sketch?.estimate() ?? 0
    expect(Math.abs(estimate - distinct) / distinct).toBeLessThan(0.05)
  })

  it('never fails or mixes versions while a new one is published and loaded', async () => {
    const want = new Map([
      [1, expectedVolume(v1, all)],
      [2, expectedVolume(v2, all)],
    ])
    expect(want.get(1)).not.toEqual(want.get(2))
    const seen = new Map<number, number>()
    let stop = false
    const load = (async () => {
      while (!stop) {
        const answer = await views.range({
          stream: all,
          view: 'volume',
          granularity: 'day',
          from: FROM,
          to: TO,
        })
        expect(volumeOf(answer)).toEqual(want.get(answer.version))
        seen.set(answer.version, (seen.get(answer.version) ?? 0) + 1)
        // Answers come from the version's read cache without I/O: let timers run.
        await new Promise((r) => setImmediate(r))
      }
    })()
    await new Promise((r) => setTimeout(r, 50))
    await publishViews(store, shardStore, v2, {
      watermark: 2_000,
      masterVersion: 2,
      shards: 3,
      workDir: `${dir.path}/work`,
    })
    expect(await views.refresh()).toBe(2)
    await new Promise((r) => setTimeout(r, 100))
    stop = true
    await load
    expect(seen.get(1)).toBeGreaterThan(0)
    expect(seen.get(2)).toBeGreaterThan(0)
  })

  it('refuses a version whose shard files do not match the manifest, and keeps serving', async () => {
    const manifest = await publishViews(store, shardStore, v1, {
      watermark: 3_000,
      masterVersion: 3,
      shards: 3,
      workDir: `${dir.path}/work`,
    })
    let damaged = ''
    for await (const o of listAll(store, `views/volume/v${manifest.version}/`))
      if (o.key.endsWith('.log') || o.key.endsWith('.ldb')) damaged = o.key
    expect(damaged).not.toBe('')
    await store.put(damaged, new TextEncoder().encode('not leveldb'))
    await expect(views.refresh()).rejects.toThrow(ShardChecksumError)
    const answer = await views.range({
      stream: all,
      view: 'volume',
      granularity: 'day',
      from: FROM,
      to: TO,
    })
    expect(answer.version).toBe(2)
  })

  it('deletes versions older than the newest two once past the grace period', async () => {
    const before = (await keys(store, 'views/')).filter((k) => k.includes('/v1/'))
    expect(before.length).toBeGreaterThan(0)
    expect(await deleteOldViewVersions(store, { keep: 2, graceMs: 60_000 })).toEqual([])
    expect(await deleteOldViewVersions(store, { keep: 2, graceMs: 0 })).toEqual([1])
    const after = await keys(store, 'views/')
    expect(after.filter((k) => k.includes('/v1/') || k.endsWith('/v1.json'))).toEqual([])
    expect(after.some((k) => k.includes('/v2/'))).toBe(true)
    const answer = await views.range({
      stream: all,
      view: 'volume',
      granularity: 'day',
      from: FROM,
      to: TO,
    })
    expect(answer.version).toBe(2)
  })
})
