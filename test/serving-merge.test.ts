import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BatchViews } from '../batch/index.js'
import { replayedRecords } from '../bench/replayed-firehose.js'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { LevelSpeedStore } from '../infra/adapters/speed-store/level-speed-store.js'
import { LevelShardStore } from '../infra/adapters/view-shards/level-shard-store.js'
import { FilterSet, StreamCatalog, type CompiledDefinition } from '../query-dsl/index.js'
import {
  augment,
  AUTHOR_INFLUENCE_VIEW,
  bucketStart,
  DOMAIN_INFLUENCE_VIEW,
  envelopePrefix,
  nextBucket,
  normalizeLine,
  topView,
  VIEWS as ALL_VIEWS,
  VOLUME_DIMENSIONS,
  type AuthorInfluence,
  type Granularity,
  type Interaction,
} from '../schemas/index.js'
import { MergedViews, StreamAnalytics, TimeRangeError } from '../serving/index.js'
import { shred } from '../shredder/index.js'
import { expireBefore, SpeedViews, SpeedWorker } from '../speed/index.js'
import { runMemoryBatch } from './support/memory-batch.js'
import { putRawSegment } from './support/raw-segments.js'
import { sharedDataDir } from './support/shared-data.js'
import { tempDir } from './support/temp-dir.js'

// Top summaries compared exactly need a capacity above the distinct values (see views.test.ts).
const VIEWS = ALL_VIEWS.map((v) => (v.name === 'top' ? topView(1_000_000) : v))
const ROUTES = 4
const HOUR = 3_600_000
// The replay starts mid-hour on a Thursday, so weeks, days and hours all straddle something.
const START = Date.parse('2026-11-19T09:23:00Z')
const RECORDS = 3000
const records = [
  ...replayedRecords({
    dataDir: sharedDataDir(),
    records: RECORDS,
    start: START,
    windowMs: 60 * HOUR,
  }),
]

/** Every distinct interaction of `lines`, as the shredder and speed layer normalize them. */
function interactionsOf(lines: readonly string[]): Interaction[] {
  const byId = new Map<string, Interaction>()
  for (const line of lines) {
    const o = normalizeLine(line, 'twitter-v1')
    if (o.kind === 'interactions')
      for (const i of o.interactions) byId.set(i.interaction?.id ?? '', augment(i))
  }
  return [...byId.values()]
}

const all = interactionsOf(records)
const at = (i: Interaction): number => i.interaction?.created_at ?? NaN

/** Brute force over every interaction a stream matches in `[from, to)`. */
function matching(set: FilterSet, stream: string, from: number, to: number): Interaction[] {
  return all.filter(
    (i) => at(i) >= from && at(i) < to && set.match(i).some((m) => m.hash === stream),
  )
}

function counts(list: readonly Interaction[], key: (i: Interaction) => string | undefined) {
  const out = new Map<string, number>()
  for (const i of list) {
    const k = key(i)
    if (k !== undefined) out.set(k, (out.get(k) ?? 0) + 1)
  }
  return out
}

describe('the merge API at the batch watermark', () => {
  const dir = tempDir('serving-merge')
  const store = new LocalDirObjectStore(`${dir.path}/store`)
  const shardStore = new LevelShardStore()
  let speedStore: LevelSpeedStore
  let batch: BatchViews
  let analytics: StreamAnalytics
  let streams: CompiledDefinition[]
  const set = new FilterSet()
  let firstWatermark = 0

  const runBatch = async (): Promise<number> => {
    await shred({ store, compact: false })
    return (await runMemoryBatch(store, `${dir.path}/work`, VIEWS)).version.watermark
  }

  beforeAll(async () => {
    const catalog = new StreamCatalog(store)
    await catalog.create('language.tag == "en"', 'english', 'alice')
    await catalog.create('interaction.hashtags exists', 'tagged', 'alice')
    streams = await catalog.definitions()
    for (const s of streams) set.add(s)
    // The speed layer sees every interaction as it arrives (no batch version yet).
    speedStore = await LevelSpeedStore.open(`${dir.path}/speed`)
    const worker = new SpeedWorker({
      store: speedStore,
      views: VIEWS,
      routes: ROUTES,
      ttlSeconds: 30 * 24 * 3600,
      flushMs: 5,
      streams: () => set,
      watermark: () => -Infinity,
    })
    for (let n = 0; n < RECORDS; n += 250)
      await worker.handle(`c1-0-${n}`, {
        lines: records
          .slice(n, n + 250)
          .map(
            (r, k) =>
              `${envelopePrefix('twitter-v1', '2026-11-22T00:00:00.000Z', 'c1', 0, n + k, undefined)}${r}}`,
          ),
      })
    await worker.drain()
    // Batch has read the first two thirds only.
    await putRawSegment(store, {
      source: 'twitter-v1',
      date: '2026-11-21',
      segment: 0,
      records: records.slice(0, 2000),
    })
    firstWatermark = await runBatch()
    batch = new BatchViews(store, shardStore, `${dir.path}/cache`, VIEWS)
    await batch.refresh()
    analytics = new StreamAnalytics(
      new MergedViews(batch, new SpeedViews(speedStore, VIEWS, ROUTES), VIEWS),
    )
  }, 180_000)
  afterAll(async () => {
    await batch.close()
    await speedStore.close()
    dir.remove()
  })

  /** A random range of whole buckets of `g` around the data, and which stream to ask. */
  function randomQuery(random: () => number, minutesFrom: number) {
    const grans: Granularity[] = ['hour', 'day', 'week', 'month', 'minute']
    const g = grans[Math.floor(random() * grans.length)] as Granularity
    // Minutes exist only from the watermark on.
    const lowest = g === 'minute' ? minutesFrom : START - 40 * 24 * HOUR
    const span = g === 'minute' ? 30 * HOUR : 100 * 24 * HOUR
    const a = bucketStart(lowest + random() * span, g)
    let b = a
    const steps = 1 + Math.floor(random() * (g === 'minute' ? 600 : 40))
    for (let n = 0; n < steps; n++) b = nextBucket(b, g)
    const stream = (streams[Math.floor(random() * streams.length)] as CompiledDefinition).hash
    return {
      g,
      from: Math.max(a, g === 'minute' ? minutesFrom : a),
      to: b,
      stream,
    }
  }

  /** Checks `queries` random answers; minute ranges start at `minutesFrom` or later. */
  async function checkAnswers(
    seed: number,
    queries: number,
    minutesFrom = firstWatermark,
  ): Promise<Set<number>> {
    let state = seed
    const random = (): number => {
      state = (state * 1103515245 + 12345) % 2 ** 31
      return state / 2 ** 31
    }
    const watermarks = new Set<number>()
    for (let q = 0; q < queries; q++) {
      const { g, from, to, stream } = randomQuery(random, minutesFrom)
      if (from >= to) continue
      const want = matching(set, stream, from, to)
      // Volume per bucket.
      const series = await analytics.timeseries({ stream, from, to, granularity: g })
      watermarks.add(series.coverage.watermark)
      expect(
        new Map(series.points.map((p) => [String(p.at), p.count])),
        `${g} ${new Date(from).toISOString()}–${new Date(to).toISOString()}`,
      ).toEqual(counts(want, (i) => String(bucketStart(at(i), g))))
      // Volume by language per bucket.
      const byLanguage = await analytics.timeseries({
        stream,
        from,
        to,
        granularity: g,
        dimension: 'language',
      })
      expect(new Map(byLanguage.points.map((p) => [`${p.at}/${p.value}`, p.count]))).toEqual(
        counts(want, (i) => {
          const lang = VOLUME_DIMENSIONS.language(i)
          return lang === undefined ? undefined : `${bucketStart(at(i), g)}/${lang}`
        }),
      )
      // Totals over the range need whole hours before the watermark.
      const hourFrom = bucketStart(from, 'hour') === from ? from : undefined
      if (hourFrom === undefined || bucketStart(to, 'hour') !== to) continue
      const top = await analytics.top({ stream, from, to, dimension: 'hashtags', k: 1_000_000 })
      const tags = new Map<string, number>()
      for (const i of want)
        for (const t of i.interaction?.hashtags ?? []) tags.set(t, (tags.get(t) ?? 0) + 1)
      expect(new Map(top.entries.map((e) => [e.value, e.count]))).toEqual(tags)
      const uniques = await analytics.uniqueAuthors({ stream, from, to })
      const authors = new Set(want.map((i) => i.interaction?.author?.username))
      expect(Math.abs(uniques.estimate - authors.size)).toBeLessThanOrEqual(
        Math.max(2, authors.size * 0.03),
      )
      const influencers = await analytics.influencers({ stream, from, to, k: 1_000_000 })
      const credit = new Map<string, AuthorInfluence>()
      for (const i of want)
        AUTHOR_INFLUENCE_VIEW.extract(i, (_key, item) => {
          const [author, c] = item as [string, AuthorInfluence]
          const mine = credit.get(author) ?? {
            interactions: 0,
            retweetsReceived: 0,
            repliesReceived: 0,
            reach: 0,
          }
          credit.set(author, {
            interactions: mine.interactions + c.interactions,
            retweetsReceived: mine.retweetsReceived + c.retweetsReceived,
            repliesReceived: mine.repliesReceived + c.repliesReceived,
            reach: Math.max(mine.reach, c.reach),
          })
        })
      expect(new Map(influencers.authors.map(({ author, ...v }) => [author, v]))).toEqual(credit)
      const domains = await analytics.domains({ stream, from, to, k: 1_000_000 })
      const links = new Map<string, number>()
      for (const i of want)
        DOMAIN_INFLUENCE_VIEW.extract(i, (_key, item) => {
          const [domain] = item as [string, number]
          links.set(domain, (links.get(domain) ?? 0) + 1)
        })
      expect(new Map(domains.domains.map((d) => [d.domain, d.links]))).toEqual(links)
    }
    return watermarks
  }

  it('answers every range exactly from batch before the watermark and speed after it', async () => {
    expect(firstWatermark).toBeGreaterThan(START)
    expect(firstWatermark).toBeLessThan(at(all[all.length - 1] as Interaction))
    // The bucket holding the watermark is assembled from both layers.
    const stream = (streams[0] as CompiledDefinition).hash
    const day = bucketStart(firstWatermark, 'day')
    const straddle = await analytics.timeseries({
      stream,
      from: day,
      to: nextBucket(day, 'day'),
      granularity: 'day',
    })
    expect(straddle.points[0]?.source).toBe('both')
    expect(straddle.coverage.batchRows).toBeGreaterThan(0)
    expect(straddle.coverage.speedRows).toBeGreaterThan(0)
    const watermarks = await checkAnswers(7, 120)
    expect([...watermarks]).toEqual([firstWatermark])
  }, 300_000)

  it('refuses minutes before the watermark and unaligned ranges, saying what to change', async () => {
    const stream = (streams[0] as CompiledDefinition).hash
    await expect(
      analytics.timeseries({
        stream,
        from: firstWatermark - HOUR,
        to: firstWatermark,
        granularity: 'minute',
      }),
    ).rejects.toThrow(TimeRangeError)
    await expect(
      analytics.timeseries({ stream, from: START, to: START + HOUR, granularity: 'hour' }),
    ).rejects.toThrow(/round both ends to a hour/)
  })

  it('stays exact while the next batch version is published and the speed layer expires', async () => {
    await putRawSegment(store, {
      source: 'twitter-v1',
      date: '2026-11-21',
      segment: 1,
      records: records.slice(2000),
    })
    let done = false
    const publishing = (async () => {
      try {
        const next = await runBatch()
        await batch.refresh()
        // What `sluice speed` does on seeing the new watermark: drop what the previous one covered.
        await expireBefore(speedStore, ROUTES, firstWatermark)
        return next
      } finally {
        done = true
      }
    })()
    // Minutes exist after either watermark from the newest hour on.
    const newestHour = bucketStart(Math.max(...all.map(at)), 'hour')
    const seen = new Set<number>()
    let seed = 100
    try {
      while (!done) for (const w of await checkAnswers(seed++, 3, newestHour)) seen.add(w)
    } finally {
      await publishing.catch(() => undefined)
    }
    const second = await publishing
    for (const w of await checkAnswers(seed, 10, newestHour)) seen.add(w)
    expect(second).toBeGreaterThan(firstWatermark)
    expect([...seen].sort()).toEqual([firstWatermark, second])
  }, 600_000)
})
