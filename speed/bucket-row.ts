import { decodeEntries, encodeEntries, isKeyed, type Monoid, type View } from '../schemas/index.js'

/**
 * Every view value of one (stream, granularity, bucket) in one route: view name → view key →
 * value. The speed layer stores a bucket as one row so a commit writes a row per stream and
 * bucket it touches, not one per view key (a match of a rare stream used to write a dozen rows
 * per granularity; Cassandra takes about 20,000 writes a second here).
 */
export type BucketRow = Map<string, Map<string, unknown>>

/**
 * A row's entries as last encoded (entry key → bytes), kept by a route's usual writer so a
 * commit re-encodes only the entries its interactions touched: the all-interactions stream's
 * rows hold thousands of entries, and re-encoding them all on every commit was most of the
 * speed layer's CPU.
 */
export type EncodedRow = Map<string, Uint8Array>

/** Entries of a keyed view a bucket keeps before it is cut back to its capacity. */
export const DEFAULT_KEYED_CAPACITY = 1000

const SEP = '\u0000'
// The first entry of a stored row or delta: its generation (see route-apply.ts). Starts with
// SEP, so it is no view's entry.
const GENERATION = `${SEP}g`
// Between a keyed view's key and the entry (an author, a domain): keyed entries are stored one
// by one inside the row, so one author's change re-encodes one entry.
const SUB = '\u0001'

/** A stored bucket row that does not decode (not written by this code, or damaged). */
export class BucketRowFormatError extends Error {
  override readonly name = 'BucketRowFormatError'
  constructor(
    readonly entry: string,
    reason: string,
  ) {
    super(`speed bucket row entry ${JSON.stringify(entry)}: ${reason}`)
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
  /** Keyed maps cut since they were last encoded: their entries are encoded afresh. */
  private readonly cutMaps = new WeakSet<Map<string, unknown>>()

  constructor(
    views: readonly View[],
    private readonly keyedCapacity = DEFAULT_KEYED_CAPACITY,
  ) {
    this.byName = new Map(views.map((v) => [v.name, v]))
  }

  monoidOf(view: string): Monoid<unknown, unknown> {
    const found = this.byName.get(view)
    if (found === undefined) throw new BucketRowFormatError(view, 'no such view')
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

  /**
   * The row's bytes, and its entries encoded. With `previous` (the entries as encoded before
   * `touched` was merged into `row`) only the touched entries are encoded again, in place.
   */
  encode(
    row: BucketRow,
    previous?: EncodedRow,
    touched?: BucketRow,
  ): { readonly bytes: Uint8Array; readonly encoded: EncodedRow } {
    let encoded: EncodedRow
    if (previous === undefined || touched === undefined) {
      encoded = new Map()
      for (const view of row.keys()) this.encodeView(row, view, encoded, undefined)
    } else {
      encoded = previous
      for (const [view, keys] of touched) this.encodeView(row, view, encoded, keys)
    }
    return { bytes: encodeEntries([...encoded]), encoded }
  }

  /** Encodes the entries of `view` into `into`: all of them, or those under `keys`. */
  private encodeView(
    row: BucketRow,
    view: string,
    into: EncodedRow,
    keys: ReadonlyMap<string, unknown> | undefined,
  ): void {
    const monoid = this.monoidOf(view)
    const values = row.get(view)
    if (values === undefined) return
    for (const key of (keys ?? values).keys()) {
      const value = values.get(key)
      if (!isKeyed(monoid)) {
        if (value !== undefined) into.set(`${view}${SEP}${key}`, monoid.encode(value))
        continue
      }
      const map = value as Map<string, unknown>
      const prefix = `${view}${SEP}${key}${SUB}`
      let subs: Iterable<string> = map.keys()
      if (keys !== undefined && this.cutMaps.has(map)) {
        // Entries were dropped: forget every entry of the map, then encode all that are left.
        for (const entry of [...into.keys()]) if (entry.startsWith(prefix)) into.delete(entry)
      } else if (keys !== undefined) subs = (keys.get(key) as Map<string, unknown>).keys()
      this.cutMaps.delete(map)
      for (const sub of subs) {
        const entry = map.get(sub)
        if (entry !== undefined) into.set(`${prefix}${sub}`, monoid.inner.encode(entry))
      }
    }
  }

  /** The row's bytes with its generation first (a full row, or a delta slot's). */
  encodeWith(row: BucketRow, generation: number): Uint8Array {
    const encoded: EncodedRow = new Map()
    for (const view of row.keys()) this.encodeView(row, view, encoded, undefined)
    const tag = Buffer.allocUnsafe(4)
    tag.writeUInt32BE(generation, 0)
    return encodeEntries([[GENERATION, tag], ...encoded])
  }

  /** The generation stored bytes were written with (0: a row written before generations). */
  static generationOf(bytes: Uint8Array): number {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    if (buf.length < 12) return 0
    const keyLength = buf.readUInt32BE(4)
    const valueLength = buf.readUInt32BE(8)
    if (valueLength !== 4 || buf.length < 12 + keyLength + 4) return 0
    if (buf.toString('utf8', 12, 12 + keyLength) !== GENERATION) return 0
    return buf.readUInt32BE(12 + keyLength)
  }

  /** The row, or only the values of `onlyView` when given (the others are not decoded). */
  decode(bytes: Uint8Array, onlyView?: string): BucketRow {
    const row: BucketRow = new Map()
    const prefix = onlyView === undefined ? undefined : Buffer.from(`${onlyView}${SEP}`, 'utf8')
    for (const [entry, value] of decodeEntries(bytes, prefix)) {
      if (entry === GENERATION) continue
      const cut = entry.indexOf(SEP)
      if (cut < 0) throw new BucketRowFormatError(entry, 'no view name')
      const view = entry.slice(0, cut)
      if (onlyView !== undefined && view !== onlyView) continue
      const monoid = this.monoidOf(view)
      let values = row.get(view)
      if (values === undefined) {
        values = new Map()
        row.set(view, values)
      }
      if (!isKeyed(monoid)) {
        values.set(entry.slice(cut + 1), monoid.decode(value))
        continue
      }
      const subAt = entry.indexOf(SUB, cut + 1)
      if (subAt < 0) throw new BucketRowFormatError(entry, 'a keyed view entry without its key')
      const key = entry.slice(cut + 1, subAt)
      let map = values.get(key) as Map<string, unknown> | undefined
      if (map === undefined) {
        map = new Map()
        values.set(key, map)
      }
      map.set(entry.slice(subAt + 1), monoid.inner.decode(value))
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
    this.cutMaps.add(map)
  }
}
