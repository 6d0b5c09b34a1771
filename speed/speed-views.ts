import type { View, ViewQuery, ViewRow } from '../schemas/index.js'
import type { SpeedStore } from '../schemas/ports/index.js'
import { BucketRows } from './bucket-row.js'
import { baseRowKey, bucketRowRange, parseBucketRowKey } from './speed-keys.js'

/**
 * The speed views as serving reads them, mirroring the batch read API: a stream's rows of one
 * view over a range, each the merge of every route's value, so values are the same monoid
 * values batch answers with.
 */
export class SpeedViews {
  private readonly byName: ReadonlyMap<string, View>
  private readonly rows: BucketRows
  private readonly answers = new Map<string, { rows: readonly ViewRow[]; until: number }>()

  /**
   * `cacheMs`: how long an answer is reused for the same query (0: never). A server under load
   * asks the same recent range again and again; reusing it for a second costs that second of
   * freshness and saves reading every route's bucket rows per request.
   */
  constructor(
    private readonly store: SpeedStore,
    views: readonly View[],
    private readonly routes: number,
    private readonly cacheMs = 0,
  ) {
    this.byName = new Map(views.map((v) => [v.name, v]))
    this.rows = new BucketRows(views)
  }

  private viewOf(name: string): View {
    const view = this.byName.get(name)
    if (view === undefined) throw new Error(`unknown view ${name}`)
    return view
  }

  /** Rows may be shared with later reads (see `cacheMs`): merge them into copies. */
  async range(query: ViewQuery): Promise<readonly ViewRow[]> {
    if (this.cacheMs <= 0) return this.read(query)
    const id = `${query.stream}\u0000${query.view}\u0000${query.granularity}\u0000${query.from}\u0000${query.to}\u0000${query.keyPrefix ?? ''}`
    const now = Date.now()
    const hit = this.answers.get(id)
    if (hit !== undefined && hit.until > now) return hit.rows
    const rows = await this.read(query)
    if (this.answers.size >= 1000) this.answers.clear()
    this.answers.set(id, { rows, until: now + this.cacheMs })
    return rows
  }

  private async read(query: ViewQuery): Promise<readonly ViewRow[]> {
    const view = this.viewOf(query.view)
    const [gte, lt] = bucketRowRange(query.stream, query.granularity, query.from, query.to)
    const rows = new Map<string, { bucket: number; key: string; value: unknown }>()
    for (let route = 0; route < this.routes; route++) {
      // A row comes before its delta slots; a slot counts only in the row's generation.
      let row = ''
      let generation = -1
      for await (const [key, bytes] of this.store.range(route, gte, lt)) {
        const base = baseRowKey(key)
        if (base === key) {
          row = key
          generation = BucketRows.generationOf(bytes)
        } else if (base !== row || BucketRows.generationOf(bytes) !== generation) continue
        const { bucket } = parseBucketRowKey(key)
        const values = this.rows.decode(bytes, view.name).get(view.name)
        if (values === undefined) continue
        for (const [entry, value] of values) {
          if (query.keyPrefix !== undefined && !entry.startsWith(query.keyPrefix)) continue
          const at = `${bucket}\u0000${entry}`
          const found = rows.get(at)
          if (found === undefined) rows.set(at, { bucket, key: entry, value })
          else found.value = view.monoid.merge(found.value, value)
        }
      }
    }
    return [...rows.values()].sort(
      (a, b) => a.bucket - b.bucket || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
    )
  }

  /** One value per view key over the whole range (the buckets' values merged). */
  async merged(query: ViewQuery): Promise<ReadonlyMap<string, unknown>> {
    const view = this.viewOf(query.view)
    const values = new Map<string, unknown>()
    for (const row of await this.range(query))
      values.set(row.key, view.monoid.merge(values.get(row.key) ?? view.monoid.empty(), row.value))
    return values
  }
}
