import { isKeyed, type View, type ViewQuery, type ViewRow } from '../schemas/index.js'
import type { SpeedStore } from '../schemas/ports/index.js'
import { parseValueKey, valueRange } from './speed-keys.js'

/**
 * The speed views as serving reads them, mirroring the batch read API: a stream's rows of one
 * view over a range, each the merge of every route's value (and, for a keyed view, its entries
 * gathered back into one map), so values are the same monoid values batch answers with.
 */
export class SpeedViews {
  private readonly byName: ReadonlyMap<string, View>

  constructor(
    private readonly store: SpeedStore,
    views: readonly View[],
    private readonly routes: number,
  ) {
    this.byName = new Map(views.map((v) => [v.name, v]))
  }

  async range(query: ViewQuery): Promise<readonly ViewRow[]> {
    const view = this.byName.get(query.view)
    if (view === undefined) throw new Error(`unknown view ${query.view}`)
    const [gte, lt] = valueRange(query.stream, view.name, query.granularity, query.from, query.to)
    const rows = new Map<string, { bucket: number; key: string; value: unknown }>()
    for (let route = 0; route < this.routes; route++)
      for await (const [rowKey, bytes] of this.store.range(route, gte, lt)) {
        const { bucket, key, sub } = parseValueKey(rowKey)
        if (query.keyPrefix !== undefined && !key.startsWith(query.keyPrefix)) continue
        const at = `${bucket}\u0000${key}`
        let row = rows.get(at)
        if (isKeyed(view.monoid)) {
          if (row === undefined) {
            row = { bucket, key, value: view.monoid.empty() }
            rows.set(at, row)
          }
          const inner = view.monoid.inner
          const entries = row.value as Map<string, unknown>
          const value = inner.decode(bytes)
          const mine = entries.get(sub ?? '')
          entries.set(sub ?? '', mine === undefined ? value : inner.merge(mine, value))
        } else {
          const value = view.monoid.decode(bytes)
          if (row === undefined) rows.set(at, { bucket, key, value })
          else row.value = view.monoid.merge(row.value, value)
        }
      }
    return [...rows.values()].sort(
      (a, b) => a.bucket - b.bucket || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
    )
  }

  /** One value per view key over the whole range (the buckets' values merged). */
  async merged(query: ViewQuery): Promise<ReadonlyMap<string, unknown>> {
    const view = this.byName.get(query.view)
    if (view === undefined) throw new Error(`unknown view ${query.view}`)
    const values = new Map<string, unknown>()
    for (const row of await this.range(query)) {
      const mine = values.get(row.key)
      values.set(row.key, mine === undefined ? row.value : view.monoid.merge(mine, row.value))
    }
    return values
  }
}
