/**
 * A small seeded PRNG (mulberry32): the same seed gives the same firehose on every machine.
 * Not for anything secret.
 */
export class SeededRandom {
  private state: number

  constructor(seed: number) {
    this.state = seed >>> 0
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  int(below: number): number {
    return Math.floor(this.next() * below)
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T
  }

  /** An index in [0, n) skewed to small values (a few popular authors, many rare ones). */
  skewed(n: number): number {
    return Math.min(n - 1, Math.floor(n * this.next() ** 3))
  }

  chance(p: number): boolean {
    return this.next() < p
  }
}
