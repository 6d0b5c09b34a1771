import { bucketStart, SPEED_GRANULARITIES, type Granularity, type View } from '../schemas/index.js'
import { BucketRows, type BucketRow } from './bucket-row.js'
import type { SpeedPut, SpeedStore } from '../schemas/ports/index.js'
import type { RouteBatch, RoutedInteraction } from './route-batch.js'
import {
  bucketRowKey,
  DELTA_SLOTS,
  deltaSlotKey,
  deltaSlotKeys,
  jobKey,
  seenKey,
} from './speed-keys.js'

const EMPTY = new Uint8Array(0)

export interface ApplyOptions {
  readonly views: readonly View[]
  readonly granularities?: readonly Granularity[]
  /** Seconds every entry written lives at most (the backstop of expiry). */
  readonly ttlSeconds: number
  /** Interactions created before this time are late: their buckets belong to batch. */
  readonly watermark?: number
  /** Commits refused by a concurrent writer before giving up (an error, so the job is retried). */
  readonly maxAttempts?: number
  /** The route's decoded values, when this caller is its usual writer. */
  readonly cache?: RouteCache
  /** How bucket rows are folded and encoded (one per caller saves a map per commit). */
  readonly rows?: BucketRows
}

export interface ApplyResult {
  /** The job had been applied to this route before (a redelivery): nothing changed. */
  readonly alreadyApplied: boolean
  readonly applied: number
  /** Interactions this route had counted before (the same id in another job). */
  readonly duplicates: number
  /** Interactions older than the watermark, left to the next batch run. */
  readonly late: number
  /** Commits tried (more than one when another writer committed to the route in between). */
  readonly attempts: number
}

/** A route's commits kept being refused: too many writers on it at once. */
export class RouteContentionError extends Error {
  override readonly name = 'RouteContentionError'
  constructor(
    readonly route: number,
    readonly job: string,
    readonly attempts: number,
  ) {
    super(`route ${route}: job ${job} lost ${attempts} commits in a row to other writers`)
  }
}

/** A bucket row as its writer holds it: the whole value, its generation, delta slots used. */
export interface HeldRow {
  readonly value: BucketRow
  readonly generation: number
  readonly slots: number
}

/**
 * The decoded values of one route as of its `version`, for the process that writes it: while
 * the route's version is the one this cache left it at, nobody else wrote, so the rows held
 * here need neither a read nor a decode, and a commit may write only what it adds to them (a
 * delta slot) instead of the whole row. Commits through one cache run one at a time (they
 * merge into the cached values in place); another writer's commit changes the version, and the
 * cache starts over.
 */
export class RouteCache {
  version = -1
  readonly values = new Map<string, HeldRow>()
  private tail: Promise<unknown> = Promise.resolve()

  /** `limit`: rows held at most; the least recently committed go first past it. */
  constructor(private readonly limit = 20_000) {}

  /** Runs `work` after every earlier one on this cache. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work)
    this.tail = run.catch(() => undefined)
    return run
  }

  reset(version: number): void {
    this.values.clear()
    this.version = version
  }

  /**
   * Keeps `rows` as the route's values at `version`. Rows are held in the order they were last
   * committed, so past the limit the oldest go: a stream's past minutes, which new interactions
   * rarely touch again (their delta slots stay; the next reader merges them).
   */
  keep(version: number, rows: Iterable<readonly [string, HeldRow]>): void {
    for (const [key, held] of rows) {
      this.values.delete(key)
      this.values.set(key, held)
    }
    this.version = version
    if (this.values.size <= this.limit) return
    for (const key of this.values.keys()) {
      if (this.values.size <= this.limit * 0.8) break
      this.values.delete(key)
    }
  }
}

/** The interactions' items folded per bucket row: the change this batch makes. */
function fold(
  interactions: readonly RoutedInteraction[],
  views: readonly View[],
  rows: BucketRows,
  granularities: readonly Granularity[],
): Map<string, BucketRow> {
  const deltas = new Map<string, BucketRow>()
  for (const i of interactions)
    for (const g of granularities) {
      const bucket = bucketStart(i.at, g)
      for (const stream of i.streams) {
        const rowKey = bucketRowKey(stream, g, bucket)
        let delta = deltas.get(rowKey)
        if (delta === undefined) {
          delta = new Map()
          deltas.set(rowKey, delta)
        }
        for (const [v, key, item] of i.items) rows.add(delta, (views[v] as View).name, key, item)
      }
    }
  return deltas
}

/** A row's key and its delta slots' keys: what reading a row not held takes. */
const withSlots = (rowKey: string): string[] => [rowKey, ...deltaSlotKeys(rowKey)]

/**
 * A row as stored: its value merged with the delta slots of its generation (slots of an older
 * generation were folded into it already), or no value for a row never written.
 */
function storedRow(
  rows: BucketRows,
  rowKey: string,
  values: ReadonlyMap<string, Uint8Array>,
): { readonly value: BucketRow | undefined; readonly generation: number } {
  const bytes = values.get(rowKey)
  if (bytes === undefined) return { value: undefined, generation: 0 }
  const generation = BucketRows.generationOf(bytes)
  const value = rows.decode(bytes)
  for (let slot = 0; slot < DELTA_SLOTS; slot++) {
    const delta = values.get(deltaSlotKey(rowKey, slot))
    if (delta !== undefined && BucketRows.generationOf(delta) === generation)
      rows.merge(value, rows.decode(delta))
  }
  return { value, generation }
}

/**
 * Applies hand-off jobs' interactions to one route exactly once, in one commit (what a route
 * gathered over a flush interval): reads the route's version, which jobs were applied and which
 * ids were counted, folds the new interactions into the values read, and commits values, ids and
 * the jobs' marks together, conditional on the version. A redelivered job finds its mark; an id
 * counted before (or earlier in the same commit) is skipped; a commit refused by a concurrent
 * writer starts over from a new read. Results are per batch, in order.
 */
export function applyRouteBatches(
  store: SpeedStore,
  route: number,
  batches: readonly RouteBatch[],
  options: ApplyOptions,
): Promise<ApplyResult[]> {
  const cache = options.cache
  return cache === undefined
    ? apply(store, route, batches, options, undefined)
    : cache.exclusive(() => apply(store, route, batches, options, cache))
}

async function apply(
  store: SpeedStore,
  route: number,
  batches: readonly RouteBatch[],
  options: ApplyOptions,
  cache: RouteCache | undefined,
): Promise<ApplyResult[]> {
  const granularities = options.granularities ?? SPEED_GRANULARITIES
  const watermark = options.watermark ?? -Infinity
  const timely = batches.map((b) => b.interactions.filter((i) => i.at >= watermark))
  const ids = [...new Set(timely.flatMap((list) => list.map((i) => i.id)))]
  const jobs = [...new Set(batches.map((b) => b.job))]
  const maxAttempts = options.maxAttempts ?? 20
  const rows = options.rows ?? new BucketRows(options.views)
  const all = fold(
    [...new Map(timely.flat().map((i) => [i.id, i])).values()],
    options.views,
    rows,
    granularities,
  )
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    // One read: the jobs' marks, the ids, and every row the batches could touch (but those
    // the cache holds, if the route is still as the cache left it).
    // A row not held is read whole: its value and its delta slots.
    const cached = (key: string): boolean => cache?.values.has(key) === true
    let current = await store.read(route, [
      ...jobs.map(jobKey),
      ...ids.map(seenKey),
      ...[...all.keys()].filter((k) => !cached(k)).flatMap(withSlots),
    ])
    if (cache !== undefined && cache.version !== current.version) {
      const skipped = [...all.keys()].filter(cached)
      cache.reset(current.version)
      if (skipped.length > 0) {
        const more = await store.read(route, skipped.flatMap(withSlots))
        if (more.version !== current.version) continue
        current = {
          version: current.version,
          values: new Map([...current.values, ...more.values]),
        }
      }
    }
    const counted = new Set(ids.filter((id) => current.values.has(seenKey(id))))
    const fresh: RoutedInteraction[] = []
    const results = batches.map((batch, b): ApplyResult => {
      const late = batch.interactions.length - (timely[b] as RoutedInteraction[]).length
      if (current.values.has(jobKey(batch.job)))
        return { alreadyApplied: true, applied: 0, duplicates: 0, late, attempts: attempt }
      let applied = 0
      for (const i of timely[b] as RoutedInteraction[])
        if (!counted.has(i.id)) {
          counted.add(i.id)
          fresh.push(i)
          applied++
        }
      const duplicates = (timely[b] as RoutedInteraction[]).length - applied
      return { alreadyApplied: false, applied, duplicates, late, attempts: attempt }
    })
    const newJobs = batches.filter((_, b) => !(results[b] as ApplyResult).alreadyApplied)
    if (newJobs.length === 0) return results
    const deltas =
      fresh.length === ids.length ? all : fold(fresh, options.views, rows, granularities)
    const puts: SpeedPut[] = []
    const kept: [string, HeldRow][] = []
    const ttlSeconds = options.ttlSeconds
    for (const [rowKey, delta] of deltas) {
      const held = cache?.values.get(rowKey)
      if (held !== undefined && held.slots < DELTA_SLOTS) {
        // Only what this commit adds; the row is rewritten whole once every slot is used.
        puts.push({
          key: deltaSlotKey(rowKey, held.slots),
          value: rows.encodeWith(delta, held.generation),
          ttlSeconds,
        })
        rows.merge(held.value, delta)
        kept.push([
          rowKey,
          { value: held.value, generation: held.generation, slots: held.slots + 1 },
        ])
        continue
      }
      const { value: base, generation } = held ?? storedRow(rows, rowKey, current.values)
      // A delta is kept across attempts, so it is copied, never merged into.
      const value = base === undefined ? rows.copy(delta) : rows.merge(base, delta)
      // A new generation: the slots written with the previous one no longer count.
      puts.push({ key: rowKey, value: rows.encodeWith(value, generation + 1), ttlSeconds })
      kept.push([rowKey, { value, generation: generation + 1, slots: 0 }])
    }
    for (const i of fresh)
      puts.push({ key: seenKey(i.id), value: EMPTY, ttlSeconds: options.ttlSeconds })
    for (const job of new Set(newJobs.map((b) => b.job)))
      puts.push({ key: jobKey(job), value: EMPTY, ttlSeconds: options.ttlSeconds })
    if (await store.commit(route, current.version, { puts })) {
      cache?.keep(current.version + 1, kept)
      return results
    }
    // Cached values were merged into in place: they are no longer the route's.
    cache?.reset(-1)
  }
  throw new RouteContentionError(route, jobs.join(','), maxAttempts)
}

/** {@link applyRouteBatches} for one batch. */
export async function applyRouteBatch(
  store: SpeedStore,
  batch: RouteBatch,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const [result] = await applyRouteBatches(store, batch.route, [batch], options)
  return result as ApplyResult
}
