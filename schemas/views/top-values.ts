import { fromJsonBytes, jsonBytes, type Monoid } from './monoid.js'

/*
 * Top values by the SpaceSaving summary (Metwally et al. 2005) with the merge of Agarwal et al.
 * ("Mergeable summaries", 2012): at most `capacity` counters; a value not counted gets the
 * smallest counter's place and count (+1), remembering that count as its possible error. Each
 * counter over-estimates its value's true count by at most its error, and any value with a
 * true count above total/capacity is among the counters. While fewer distinct values than the
 * capacity are seen, the counts are exact and merging is exactly associative.
 */

export const DEFAULT_TOP_CAPACITY = 200

export interface TopCounter {
  count: number
  error: number
}

export interface TopSummary {
  readonly capacity: number
  readonly counters: Map<string, TopCounter>
}

export interface TopEntry {
  readonly value: string
  readonly count: number
  /** The count may exceed the true count by up to this much. */
  readonly error: number
}

function smallest(counters: Map<string, TopCounter>): [string, TopCounter] | undefined {
  let min: [string, TopCounter] | undefined
  for (const entry of counters)
    if (
      min === undefined ||
      entry[1].count < min[1].count ||
      (entry[1].count === min[1].count && entry[0] > min[0])
    )
      min = entry
  return min
}

/** The `k` largest counters, by count then value. */
export function topEntries(summary: TopSummary, k: number): TopEntry[] {
  return [...summary.counters]
    .map(([value, c]) => ({ value, count: c.count, error: c.error }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
    .slice(0, k)
}

function add(summary: TopSummary, value: string, weight = 1): TopSummary {
  const counter = summary.counters.get(value)
  if (counter !== undefined) counter.count += weight
  else if (summary.counters.size < summary.capacity)
    summary.counters.set(value, { count: weight, error: 0 })
  else {
    const [victim, min] = smallest(summary.counters) as [string, TopCounter]
    summary.counters.delete(victim)
    summary.counters.set(value, { count: min.count + weight, error: min.count })
  }
  return summary
}

function merge(a: TopSummary, b: TopSummary): TopSummary {
  const full = (s: TopSummary): number =>
    s.counters.size < s.capacity ? 0 : (smallest(s.counters)?.[1].count ?? 0)
  const floorA = full(a)
  const floorB = full(b)
  const merged = new Map<string, TopCounter>()
  for (const [value, c] of a.counters) {
    const other = b.counters.get(value)
    merged.set(value, {
      count: c.count + (other?.count ?? floorB),
      error: c.error + (other?.error ?? floorB),
    })
  }
  for (const [value, c] of b.counters)
    if (!a.counters.has(value))
      merged.set(value, { count: c.count + floorA, error: c.error + floorA })
  const capacity = Math.max(a.capacity, b.capacity)
  const kept = [...merged]
    .sort(([va, ca], [vb, cb]) => cb.count - ca.count || (va < vb ? -1 : va > vb ? 1 : 0))
    .slice(0, capacity)
  return { capacity, counters: new Map(kept) }
}

/** A top-values monoid keeping `capacity` counters; items are the values. */
export function topValues(capacity: number = DEFAULT_TOP_CAPACITY): Monoid<TopSummary, string> {
  return {
    name: `top(${capacity})`,
    empty: () => ({ capacity, counters: new Map() }),
    add: (summary, value) => add(summary, value),
    merge,
    encode: (summary) =>
      jsonBytes([summary.capacity, [...summary.counters].map(([v, c]) => [v, c.count, c.error])]),
    decode: (bytes) => {
      const [cap, entries] = fromJsonBytes(bytes) as [number, [string, number, number][]]
      return {
        capacity: cap,
        counters: new Map(entries.map(([v, count, error]) => [v, { count, error }])),
      }
    },
  }
}
