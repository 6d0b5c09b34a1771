import { fromJsonBytes, jsonBytes, type Monoid } from './monoid.js'

/*
 * Top values by the SpaceSaving summary (Metwally et al. 2005) with the merge of Agarwal et al.
 * ("Mergeable summaries", 2012): at most `capacity` counters; a value not counted gets the
 * smallest counter's place and count (+1), remembering that count as its possible error. Each
 * counter over-estimates its value's true count by at most its error, and any value with a
 * true count above total/capacity is among the counters. While fewer distinct values than the
 * capacity are seen, the counts are exact and merging is exactly associative.
 *
 * The counters are a binary min-heap (smallest count first; among equal counts the largest
 * value, so the victim is the same as a scan's), so an eviction costs O(log capacity) rather
 * than a scan of every counter: an hour of the whole firehose evicts on most author adds.
 */

export const DEFAULT_TOP_CAPACITY = 200

export interface TopEntry {
  readonly value: string
  readonly count: number
  /** The count may exceed the true count by up to this much. */
  readonly error: number
}

/** One SpaceSaving summary. */
export class TopSummary {
  private readonly values: string[] = []
  private readonly counts: number[] = []
  private readonly errors: number[] = []
  private readonly slot = new Map<string, number>()

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.values.length
  }

  /** The smallest count when every counter is taken (0 before): what an unseen value may have had. */
  floor(): number {
    return this.values.length < this.capacity ? 0 : (this.counts[0] ?? 0)
  }

  countOf(value: string): number | undefined {
    const i = this.slot.get(value)
    return i === undefined ? undefined : this.counts[i]
  }

  errorOf(value: string): number | undefined {
    const i = this.slot.get(value)
    return i === undefined ? undefined : this.errors[i]
  }

  add(value: string, weight = 1): void {
    const i = this.slot.get(value)
    if (i !== undefined) {
      this.counts[i] = (this.counts[i] as number) + weight
      this.down(i)
    } else if (this.values.length < this.capacity) {
      this.push(value, weight, 0)
    } else {
      const min = this.counts[0] as number
      this.slot.delete(this.values[0] as string)
      this.values[0] = value
      this.counts[0] = min + weight
      this.errors[0] = min
      this.slot.set(value, 0)
      this.down(0)
    }
  }

  /** Appends a counter (the caller keeps within the capacity). */
  push(value: string, count: number, error: number): void {
    const i = this.values.length
    this.values.push(value)
    this.counts.push(count)
    this.errors.push(error)
    this.slot.set(value, i)
    this.up(i)
  }

  *entries(): IterableIterator<TopEntry> {
    for (let i = 0; i < this.values.length; i++)
      yield {
        value: this.values[i] as string,
        count: this.counts[i] as number,
        error: this.errors[i] as number,
      }
  }

  private before(i: number, j: number): boolean {
    const ci = this.counts[i] as number
    const cj = this.counts[j] as number
    return ci < cj || (ci === cj && (this.values[i] as string) > (this.values[j] as string))
  }

  private swap(i: number, j: number): void {
    const { values, counts, errors } = this
    const v = values[i] as string
    const c = counts[i] as number
    const e = errors[i] as number
    values[i] = values[j] as string
    counts[i] = counts[j] as number
    errors[i] = errors[j] as number
    values[j] = v
    counts[j] = c
    errors[j] = e
    this.slot.set(values[i], i)
    this.slot.set(v, j)
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.before(i, parent)) return
      this.swap(i, parent)
      i = parent
    }
  }

  private down(i: number): void {
    const n = this.values.length
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) return
      const r = l + 1
      const child = r < n && this.before(r, l) ? r : l
      if (!this.before(child, i)) return
      this.swap(i, child)
      i = child
    }
  }
}

const byCountThenValue = (a: TopEntry, b: TopEntry): number =>
  b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0)

/** The `k` largest counters, by count then value. */
export function topEntries(summary: TopSummary, k: number): TopEntry[] {
  return [...summary.entries()].sort(byCountThenValue).slice(0, k)
}

function merge(a: TopSummary, b: TopSummary): TopSummary {
  const floorA = a.floor()
  const floorB = b.floor()
  const merged: TopEntry[] = []
  for (const e of a.entries()) {
    const other = b.countOf(e.value)
    if (other === undefined)
      merged.push({ value: e.value, count: e.count + floorB, error: e.error + floorB })
  }
  for (const e of b.entries()) {
    const mine = a.countOf(e.value)
    merged.push(
      mine === undefined
        ? { value: e.value, count: e.count + floorA, error: e.error + floorA }
        : { value: e.value, count: e.count + mine, error: e.error + (a.errorOf(e.value) ?? 0) },
    )
  }
  const out = new TopSummary(Math.max(a.capacity, b.capacity))
  // Largest first, then pushed smallest first: each push lands at the heap's end in order.
  const kept = merged.sort(byCountThenValue).slice(0, out.capacity)
  for (let i = kept.length - 1; i >= 0; i--) {
    const e = kept[i] as TopEntry
    out.push(e.value, e.count, e.error)
  }
  return out
}

/** A top-values monoid keeping `capacity` counters; items are the values. */
export function topValues(capacity: number = DEFAULT_TOP_CAPACITY): Monoid<TopSummary, string> {
  return {
    name: `top(${capacity})`,
    empty: () => new TopSummary(capacity),
    add: (summary, value) => {
      summary.add(value)
      return summary
    },
    merge,
    encode: (summary) =>
      jsonBytes([summary.capacity, [...summary.entries()].map((e) => [e.value, e.count, e.error])]),
    decode: (bytes) => {
      const [cap, entries] = fromJsonBytes(bytes) as [number, [string, number, number][]]
      const summary = new TopSummary(cap)
      for (const [value, count, error] of entries) summary.push(value, count, error)
      return summary
    },
  }
}
