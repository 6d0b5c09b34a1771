import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { aggregateInteractions } from '../batch/index.js'
import { FilterSet, StreamRegistry } from '../query-dsl/index.js'
import { SPEED_GRANULARITIES, topView, VIEWS, type Interaction } from '../schemas/index.js'
import type { SpeedStore } from '../schemas/ports/index.js'
import {
  ALL_BUCKET_ROWS,
  applyRouteBatch,
  baseRowKey,
  DEFAULT_ROUTES,
  DELTA_SLOTS,
  SpeedLayoutError,
  speedRoutes,
  expireBefore,
  RouteCache,
  routeBatches,
  SpeedViews,
  type ApplyResult,
} from '../speed/index.js'
import { interactionsOf } from './support/normalized-corpus.js'
import { SPEED_STORE_ADAPTERS, speedStores } from './support/speed-stores.js'
import { canonicalAggregates, servedRows } from './support/view-oracle.js'

// Top summaries compared exactly need a capacity above the distinct values (see views.test.ts).
const views = VIEWS.map((v) => (v.name === 'top' ? topView(1_000_000) : v))
const ROUTES = 4
const BASE = Date.parse('2026-11-23T10:00:00Z')

// Real tweets moved into one recent hour and a bit, 1.7 s apart.
const interactions: Interaction[] = interactionsOf('twitter-v1-sample.jsonl.gz')
  .slice(0, 2400)
  .map((i, n) => ({ ...i, interaction: { ...i.interaction, created_at: BASE + n * 1700 } }))

const registry = new StreamRegistry()
const streams = [
  'interaction.id exists',
  'language.tag == "en"',
  'interaction.hashtags exists',
].map((s) => {
  const r = registry.register(s)
  if (!r.ok) throw new Error(s)
  return r.definition
})
const set = new FilterSet()
for (const s of streams) set.add(s)

function oracle(of: readonly Interaction[]): Map<string, string> {
  return canonicalAggregates(aggregateInteractions(of, set, views, undefined, SPEED_GRANULARITIES))
}

const served = (store: SpeedStore): Promise<Map<string, string>> => {
  const speedViews = new SpeedViews(store, views, ROUTES)
  return servedRows(
    (q) => speedViews.range(q),
    streams.map((s) => s.hash),
    views,
    SPEED_GRANULARITIES,
  )
}

/** Runs `tasks` with at most `concurrency` at once. */
async function pool<T>(tasks: readonly (() => Promise<T>)[], concurrency: number): Promise<T[]> {
  const results: T[] = []
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tasks.length) {
        const n = next++
        results[n] = await (tasks[n] as () => Promise<T>)()
      }
    }),
  )
  return results
}

describe.each(SPEED_STORE_ADAPTERS)('speed routes applied exactly once: %s', (adapter) => {
  const stores = speedStores(adapter, 'speed-apply')
  const fresh = (): Promise<SpeedStore> => stores.fresh()
  beforeAll(() => stores.start(), 180_000)
  afterAll(() => stores.stop())

  it.each([
    ['without', false],
    ['with', true],
  ])(
    'counts every interaction once under redelivered jobs, overlapping jobs and concurrent writers (%s route caches)',
    async (_label, cached) => {
      const store = await fresh()
      // A small cache, so rows are also evicted and read back from the store.
      const caches = Array.from({ length: ROUTES }, () => new RouteCache(40))
      // Jobs of 150 interactions; each also repeats the last 20 of the one before (an overlap a
      // collector restart can cause).
      const jobs = Array.from({ length: 16 }, (_, j) => ({
        id: `c1-0-${j * 150}`,
        interactions: interactions.slice(Math.max(0, j * 150 - 20), (j + 1) * 150),
      }))
      const apply = (job: (typeof jobs)[number]) => async (): Promise<ApplyResult[]> =>
        Promise.all(
          routeBatches(job.id, job.interactions, set, views, ROUTES).map((batch) =>
            applyRouteBatch(store, batch, {
              views,
              ttlSeconds: 3600,
              ...(cached ? { cache: caches[batch.route] as RouteCache } : {}),
            }),
          ),
        )
      const first = (await pool(jobs.map(apply), 6)).flat()
      expect(first.every((r) => !r.alreadyApplied)).toBe(true)
      expect(first.reduce((n, r) => n + r.duplicates, 0)).toBe(15 * 20)
      // Every job delivered again, as after a crash before its acknowledgement.
      const again = (await pool(jobs.map(apply), 6)).flat()
      expect(again.every((r) => r.alreadyApplied)).toBe(true)
      const want = oracle(interactions)
      expect(want.size).toBeGreaterThan(1000)
      expect(await served(store)).toEqual(want)
    },
    180_000,
  )

  it('writes only deltas to rows its writer holds, rewrites a row once its slots are used, and reads rows back whole', async () => {
    const store = await fresh()
    const caches = Array.from({ length: ROUTES }, () => new RouteCache())
    const apply = async (
      id: string,
      of: readonly Interaction[],
      cacheOf: (route: number) => RouteCache | undefined,
    ): Promise<void> => {
      for (const batch of routeBatches(id, of, set, views, ROUTES)) {
        const cache = cacheOf(batch.route)
        await applyRouteBatch(store, batch, {
          views,
          ttlSeconds: 3600,
          ...(cache === undefined ? {} : { cache }),
        })
      }
    }
    // More commits than slots, all to the same hour rows: deltas, then whole rewrites.
    const jobs = Array.from({ length: 3 * DELTA_SLOTS + 3 }, (_, j) =>
      interactions.slice(j * 40, (j + 1) * 40),
    )
    for (const [j, of] of jobs.entries()) await apply(`d-${j}`, of, (r) => caches[r])
    const keys: string[] = []
    for (let route = 0; route < ROUTES; route++)
      for await (const [key] of store.range(route, ...ALL_BUCKET_ROWS)) keys.push(key)
    expect(keys.some((k) => baseRowKey(k) !== k)).toBe(true)
    const done = jobs.flat()
    expect(await served(store)).toEqual(oracle(done))
    // A writer holding nothing (another process, after a rebalance) reads rows with their
    // slots, and goes on from them.
    const more = interactions.slice(done.length, done.length + 300)
    await apply('cold', more, () => undefined)
    expect(await served(store)).toEqual(oracle([...done, ...more]))
    // The first writer's cache no longer matches the route's version: it starts over.
    const last = interactions.slice(done.length + 300, done.length + 400)
    await apply('warm-again', last, (r) => caches[r])
    expect(await served(store)).toEqual(oracle([...done, ...more, ...last]))
  })

  it('records the routes a store is split into; a different count is refused', async () => {
    const store = await fresh()
    expect(await speedRoutes(store)).toBe(DEFAULT_ROUTES)
    expect(await speedRoutes(store, DEFAULT_ROUTES)).toBe(DEFAULT_ROUTES)
    await expect(speedRoutes(store, DEFAULT_ROUTES + 1)).rejects.toThrow(SpeedLayoutError)
    const other = await fresh()
    expect(await speedRoutes(other, 7)).toBe(7)
    expect(await speedRoutes(other)).toBe(7)
  })

  it('leaves interactions older than the watermark to batch, and counts them', async () => {
    const store = await fresh()
    const watermark = BASE + 30 * 60_000
    const results = await Promise.all(
      routeBatches('late-job', interactions, set, views, ROUTES).map((batch) =>
        applyRouteBatch(store, batch, { views, ttlSeconds: 3600, watermark }),
      ),
    )
    const before = interactions.filter((i) => (i.interaction?.created_at ?? 0) < watermark)
    const matchingBefore = before.filter((i) => set.match(i).length > 0).length
    expect(matchingBefore).toBeGreaterThan(0)
    expect(results.reduce((n, r) => n + r.late, 0)).toBe(matchingBefore)
    expect(await served(store)).toEqual(
      oracle(interactions.filter((i) => (i.interaction?.created_at ?? 0) >= watermark)),
    )
  }, 180_000)

  it('drops the rows a new watermark covers, keeping the bucket that straddles it', async () => {
    const store = await fresh()
    await Promise.all(
      routeBatches('expiry-job', interactions, set, views, ROUTES).map((batch) =>
        applyRouteBatch(store, batch, { views, ttlSeconds: 3600 }),
      ),
    )
    // 40 minutes in: the minute rows before it and no hour row (the first hour straddles it).
    const watermark = BASE + 40 * 60_000
    expect(await expireBefore(store, ROUTES, watermark)).toBeGreaterThan(0)
    const rows = await served(store)
    const buckets = (granularity: string): number[] =>
      [...rows.keys()]
        .filter((k) => k.split('\u0001')[2] === granularity)
        .map((k) => Number(k.split('\u0001')[3]))
    expect(Math.min(...buckets('minute'))).toBe(watermark)
    expect(Math.min(...buckets('hour'))).toBe(BASE)
    // What is left is exactly what was there for those buckets.
    const all = oracle(interactions)
    for (const [key, value] of rows) expect(all.get(key)).toBe(value)
  }, 180_000)
})
