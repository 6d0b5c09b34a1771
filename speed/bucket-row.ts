import { decodeEntries, encodeEntries, isKeyed, type Monoid, type View } from '../schemas/index.js'

/**
 * Every view value of one (stream, granularity, bucket) in one route: view name → view key →
 * value. The speed layer stores a bucket as one row so a commit writes a row per stream and
 * bucket it touches, not one per view key (a match of a rare stream used to write a dozen rows
 * per granularity; Cassandra takes about 20,000 writes a second here).
 */
export type BucketRow = Map<string, Map<string, unknown>>

/** Entries of a keyed view a bucket keeps before it is cut back to its capacity. */
export const DEFAULT_KEYED_CAPACITY = 1000

const SEP = '\u0000'

/** A stored bucket row that does not decode (not written by this code, or damaged). */
export class BucketRowFormatError extends Error {
  override readonly name = 'BucketRowFormatError'
  constructor(readonly view: string) {
    super(`a speed bucket row holds values of an unknown view ${JSON.stringify(view)}`)
  }
}

/**
 * Folds, merges and encodes bucket rows for a list of views. Keyed views (influence) are the
 * depth the speed layer trades for speed: a bucket keeps at most `2 × keyedCapacity` entries and
 * is then cut back to the `keyedCapacity` of highest rank (ties by key, so every writer cuts
 * alike). Below that the values are exact, as batch's are; batch keeps every entry.
 */
export class BucketRows {
  private readonly byName: ReadonlyMap<string, View>

  constructor(
    views: readonly View[],
    private readonly keyedCapacity = DEFAULT_KEYED_CAPACITY,
  ) {
    this.byName = new Map(views.map((v) => [v.name, v]))
  }

  monoidOf(view: string): Monoid<unknown, unknown> {
    const found = this.byName.get(view)
    if (found === undefined) throw new BucketRowFormatError(view)
    return found.monoid
  }

  /** Adds `item` under (view, key) of `row`. */
  add(row: BucketRow, view: string, key: string, item: unknown): void {
    const monoid = this.monoidOf(view)
    let values = row.get(view)
    if (values === undefined) {
      values = new Map()
      row.set(view, values)
    }
    const value = values.get(key)
    const next = monoid.add(value === undefined ? monoid.empty() : value, item)
    if (next !== value) values.set(key, next)
  }

  /** `b` merged into `a` (which is returned); `b` is neither changed nor referenced. */
  merge(a: BucketRow, b: BucketRow): BucketRow {
    for (const [view, theirs] of b) {
      const monoid = this.monoidOf(view)
      let mine = a.get(view)
      if (mine === undefined) {
        mine = new Map()
        a.set(view, mine)
      }
      for (const [key, value] of theirs) {
        const own = mine.get(key)
        mine.set(key, monoid.merge(own === undefined ? monoid.empty() : own, value))
      }
      if (isKeyed(monoid))
        for (const map of mine.values()) this.cut(monoid, map as Map<string, unknown>)
    }
    return a
  }

  copy(row: BucketRow): BucketRow {
    return this.merge(new Map(), row)
  }

  encode(row: BucketRow): Uint8Array {
    const entries: [string, Uint8Array][] = []
    for (const [view, values] of row) {
      const monoid = this.monoidOf(view)
      for (const [key, value] of values) entries.push([`${view}${SEP}${key}`, monoid.encode(value)])
    }
    return encodeEntries(entries)
  }

  /** The row, or only the values of `onlyView` when given (the others are not decoded). */
  decode(bytes: Uint8Array, onlyView?: string): BucketRow {
    const row: BucketRow = new Map()
    for (const [entry, value] of decodeEntries(bytes)) {
      const cut = entry.indexOf(SEP)
      if (cut < 0) throw new BucketRowFormatError(entry)
      const view = entry.slice(0, cut)
      if (onlyView !== undefined && view !== onlyView) continue
      let values = row.get(view)
      if (values === undefined) {
        values = new Map()
        row.set(view, values)
      }
      values.set(entry.slice(cut + 1), this.monoidOf(view).decode(value))
    }
    return row
  }

  private cut(monoid: Monoid<unknown, unknown>, map: Map<string, unknown>): void {
    if (!isKeyed(monoid) || map.size <= 2 * this.keyedCapacity) return
    const kept = [...map]
      .map(([key, value]) => ({ key, value, rank: monoid.rank(value) }))
      .sort((x, y) => y.rank - x.rank || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0))
      .slice(0, this.keyedCapacity)
    map.clear()
    for (const { key, value } of kept) map.set(key, value)
  }
}
