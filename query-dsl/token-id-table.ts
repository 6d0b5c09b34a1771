import { hashSpan } from './span-hash.js'

/**
 * Small integer ids for the tokens the filters' phrases use, looked up by a span of a text
 * without slicing it: the shared plan maps every token of every interaction through this table,
 * and a `Map<string, number>` would need each token as a fresh string first. Open addressing
 * over a typed array, FNV-1a over UTF-16 code units, keys kept for verification.
 */
export class TokenIdTable {
  private slots = new Int32Array(1024).fill(-1)
  private mask = 1023
  private readonly keys: string[] = []

  /** Number of distinct tokens. */
  get size(): number {
    return this.keys.length
  }

  /** The token of an id. */
  tokenOf(id: number): string {
    return this.keys[id] ?? ''
  }

  /** The id of a token, added if new. Ids are dense, from 0, and never reused. */
  add(token: string): number {
    const found = this.lookup(token, 0, token.length)
    if (found !== -1) return found
    const id = this.keys.length
    this.keys.push(token)
    if (this.keys.length * 2 > this.slots.length) this.rehash(this.slots.length * 2)
    else this.place(id)
    return id
  }

  /** The id of `text.slice(start, end)`, or -1 when that token is not in the table. */
  lookup(text: string, start: number, end: number): number {
    let slot = hashSpan(text, start, end) & this.mask
    const length = end - start
    for (;;) {
      const id = this.slots[slot] ?? -1
      if (id === -1) return -1
      const key = this.keys[id] ?? ''
      if (key.length === length && text.startsWith(key, start)) return id
      slot = (slot + 1) & this.mask
    }
  }

  private place(id: number): void {
    const key = this.keys[id] ?? ''
    let slot = hashSpan(key, 0, key.length) & this.mask
    while ((this.slots[slot] ?? -1) !== -1) slot = (slot + 1) & this.mask
    this.slots[slot] = id
  }

  private rehash(capacity: number): void {
    this.slots = new Int32Array(capacity).fill(-1)
    this.mask = capacity - 1
    for (let id = 0; id < this.keys.length; id++) this.place(id)
  }
}
