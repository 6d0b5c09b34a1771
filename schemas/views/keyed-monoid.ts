import { decodeEntries, encodeEntries } from './entry-codec.js'
import type { Monoid } from './monoid.js'

/**
 * A map of values of an inner monoid, merged key by key: one view row per (stream, bucket)
 * holding every author's (or domain's) value, rather than a row per author per bucket — an hour
 * of the firehose has thousands of authors, and influence is always read as a whole ranking.
 * Items are [key, inner item]. Encoded with the keys sorted, so equal maps have equal bytes.
 */
export interface KeyedMonoid<V, I> extends Monoid<Map<string, V>, readonly [string, I]> {
  /** The monoid of each entry: stores that update entries one by one use it directly. */
  readonly inner: Monoid<V, I>
  /** How much an entry matters, for stores that keep only the leading entries (speed). */
  rank(value: V): number
}

/** Whether `monoid` is a map of entries (see {@link keyedValues}). */
export function isKeyed(monoid: Monoid<unknown, unknown>): monoid is KeyedMonoid<unknown, unknown> {
  return 'inner' in monoid
}

export function keyedValues<V, I>(
  inner: Monoid<V, I>,
  rank: (value: V) => number,
): KeyedMonoid<V, I> {
  return {
    name: `keyed(${inner.name})`,
    inner,
    rank,
    empty: () => new Map(),
    add: (map, [key, item]) => {
      const value = map.get(key)
      const next = inner.add(value === undefined ? inner.empty() : value, item)
      if (next !== value) map.set(key, next)
      return map
    },
    merge: (a, b) => {
      for (const [key, value] of b) {
        const mine = a.get(key)
        a.set(key, inner.merge(mine === undefined ? inner.empty() : mine, value))
      }
      return a
    },
    encode: (map) =>
      encodeEntries(
        [...map.keys()].sort().map((key) => [key, inner.encode(map.get(key) as V)] as const),
      ),
    decode: (bytes) => {
      const map = new Map<string, V>()
      for (const [key, value] of decodeEntries(bytes)) map.set(key, inner.decode(value))
      return map
    },
  }
}
