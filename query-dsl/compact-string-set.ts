import { isJsWhitespace } from '../schemas/index.js'
import { hashSpan } from './span-hash.js'

/** What `in` lists need of a set of strings; a `Set<string>` is one. */
export interface StringSet {
  readonly size: number
  has(value: string): boolean
  values(): IterableIterator<string>
  [Symbol.iterator](): IterableIterator<string>
}

/**
 * The items of one comma-separated list (trimmed, empty ones skipped, duplicates once) held as
 * spans of the list's own text rather than as millions of small strings: an `in` list of ten
 * million names costs the text itself, two offsets per name and a hash table, about a third of
 * a `Set<string>` (which also stops at 2^24 entries). Lookups hash the probe's UTF-16 code units
 * and compare in place, allocating nothing.
 */
export class CompactStringSet implements StringSet {
  private starts: Int32Array
  private ends: Int32Array
  private readonly slots: Int32Array
  private readonly mask: number
  readonly size: number

  /** `text` holds the items separated by `separator`, with no escapes (callers decode first). */
  constructor(
    private readonly text: string,
    separator = ',',
  ) {
    let count = 1
    for (let i = text.indexOf(separator); i !== -1; i = text.indexOf(separator, i + 1)) count++
    let capacity = 16
    while (capacity * 0.6 < count) capacity *= 2
    this.slots = new Int32Array(capacity).fill(-1)
    this.mask = capacity - 1
    const starts = new Int32Array(count)
    const ends = new Int32Array(count)
    this.starts = starts
    this.ends = ends
    let n = 0
    for (let i = 0; ;) {
      let end = text.indexOf(separator, i)
      if (end === -1) end = text.length
      let a = i
      let b = end
      while (a < b && isJsWhitespace(text.charCodeAt(a))) a++
      while (b > a && isJsWhitespace(text.charCodeAt(b - 1))) b--
      if (a < b) {
        starts[n] = a
        ends[n] = b
        if (this.insert(n, text, a, b)) n++
      }
      if (end === text.length) break
      i = end + 1
    }
    this.starts = starts.subarray(0, n)
    this.ends = ends.subarray(0, n)
    this.size = n
  }

  has(value: string): boolean {
    return this.find(value, 0, value.length) !== -1
  }

  [Symbol.iterator](): IterableIterator<string> {
    return this.values()
  }

  *values(): IterableIterator<string> {
    for (let k = 0; k < this.size; k++)
      yield this.text.slice(this.starts[k] ?? 0, this.ends[k] ?? 0)
  }

  /** The item equal to `s.slice(start, end)`, or -1. */
  private find(s: string, start: number, end: number): number {
    const length = end - start
    let slot = hashSpan(s, start, end) & this.mask
    for (;;) {
      const k = this.slots[slot] ?? -1
      if (k === -1) return -1
      const a = this.starts[k] ?? 0
      if ((this.ends[k] ?? 0) - a === length && sameSpan(this.text, a, s, start, length)) return k
      slot = (slot + 1) & this.mask
    }
  }

  /** Adds item k (its span already stored); false when an equal item is already there. */
  private insert(k: number, s: string, start: number, end: number): boolean {
    const length = end - start
    let slot = hashSpan(s, start, end) & this.mask
    for (;;) {
      const other = this.slots[slot] ?? -1
      if (other === -1) break
      const a = this.starts[other] ?? 0
      if ((this.ends[other] ?? 0) - a === length && sameSpan(this.text, a, s, start, length))
        return false
      slot = (slot + 1) & this.mask
    }
    this.slots[slot] = k
    return true
  }
}

function sameSpan(a: string, aStart: number, b: string, bStart: number, length: number): boolean {
  for (let i = 0; i < length; i++)
    if (a.charCodeAt(aStart + i) !== b.charCodeAt(bStart + i)) return false
  return true
}
