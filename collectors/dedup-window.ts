/*
 * Layout: the ids of the last `capacity` records live in a ring (insertion order) as two
 * 32-bit hashes and a time; an open-addressing table (linear probing, at most half full) maps
 * a hash to its ring slot. Everything is in typed arrays, so a million remembered ids cost
 * ~24 MB and nothing for the garbage collector to walk — a Map of id strings cost more in GC
 * than in lookups (bench/collect). Two independent 32-bit hashes make a false "duplicate" a
 * 1-in-2^64 event per lookup.
 */
const EMPTY = 0

// The two hashes of the last id hashed: module scratch, so hashing allocates nothing.
let hashA = 0
let hashB = 0

function hash(id: string): void {
  // FNV-1a and a multiplicative hash with a different seed, over the UTF-16 code units.
  let a = 0x811c9dc5
  let b = 0x9747b28c
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x5bd1e995)
    b ^= b >>> 15
  }
  hashA = a | 0
  hashB = b | 0
}

/**
 * Recently seen record ids of one source, to drop the duplicates that overlapping source
 * connections deliver. Remembers the last `capacity` ids, each for at most `windowMs`. A
 * duplicate older than either limit gets through; the shredder's de-duplication by
 * `interaction.id` is the backstop.
 */
export class DedupWindow {
  private readonly ringA: Int32Array
  private readonly ringB: Int32Array
  private readonly ringAt: Float64Array
  /** Ring slot + 1 per table cell; 0 is empty. */
  private readonly table: Int32Array
  private readonly mask: number
  private head = 0
  private count = 0

  constructor(
    private readonly windowMs: number,
    readonly capacity: number,
  ) {
    this.ringA = new Int32Array(capacity)
    this.ringB = new Int32Array(capacity)
    this.ringAt = new Float64Array(capacity)
    let size = 2
    while (size < capacity * 2) size *= 2
    this.table = new Int32Array(size)
    this.mask = size - 1
  }

  get size(): number {
    return this.count
  }

  /** The table cell holding hashes (a, b), or -1. */
  private find(a: number, b: number): number {
    for (let i = a & this.mask; ; i = (i + 1) & this.mask) {
      const entry = this.table[i] ?? EMPTY
      if (entry === EMPTY) return -1
      const r = entry - 1
      if (this.ringA[r] === a && this.ringB[r] === b) return i
    }
  }

  /** Whether `id` was recorded within the window before `now`. */
  has(id: string, now: number): boolean {
    hash(id)
    const cell = this.find(hashA, hashB)
    return cell >= 0 && now - (this.ringAt[(this.table[cell] ?? 1) - 1] ?? 0) <= this.windowMs
  }

  /**
   * Records `id` as seen at `now`. Callers record a record's id only once it is stored, so a
   * batch that failed to store is not mistaken for a duplicate when its sender retries it.
   */
  record(id: string, now: number): void {
    hash(id)
    const a = hashA
    const b = hashB
    const cell = this.find(a, b)
    if (cell >= 0) {
      this.ringAt[(this.table[cell] ?? 1) - 1] = now
      return
    }
    const slot = this.head
    if (this.count === this.capacity)
      this.remove(this.find(this.ringA[slot] ?? 0, this.ringB[slot] ?? 0))
    else this.count++
    this.ringA[slot] = a
    this.ringB[slot] = b
    this.ringAt[slot] = now
    this.head = (slot + 1) % this.capacity
    let i = a & this.mask
    while (this.table[i] !== EMPTY) i = (i + 1) & this.mask
    this.table[i] = slot + 1
  }

  /** Empties table cell `i`, shifting later cells of its probe run back (no tombstones). */
  private remove(i: number): void {
    if (i < 0) return
    let hole = i
    for (let j = (hole + 1) & this.mask; this.table[j] !== EMPTY; j = (j + 1) & this.mask) {
      const entry = this.table[j] ?? EMPTY
      const home = (this.ringA[entry - 1] ?? 0) & this.mask
      // Move the entry into the hole unless its home lies cyclically in (hole, j].
      const homeInRange = hole <= j ? home > hole && home <= j : home > hole || home <= j
      if (!homeInRange) {
        this.table[hole] = entry
        hole = j
      }
    }
    this.table[hole] = EMPTY
  }
}

/** One {@link DedupWindow} per source, so ids of different sources never meet. */
export class SourceDedup {
  private readonly windows = new Map<string, DedupWindow>()

  constructor(
    private readonly windowMs: number,
    private readonly capacityPerSource: number,
  ) {}

  of(source: string): DedupWindow {
    let w = this.windows.get(source)
    if (w === undefined) {
      w = new DedupWindow(this.windowMs, this.capacityPerSource)
      this.windows.set(source, w)
    }
    return w
  }
}
