/**
 * Recently seen record ids, to drop the duplicates that overlapping source connections deliver.
 * Memory is bounded twice: ids older than the window are forgotten, and so is the oldest id
 * once `capacity` are held. A duplicate older than either limit gets through; the shredder's
 * de-duplication by `interaction.id` is the backstop.
 */
export class DedupWindow {
  private readonly seen = new Map<string, number>()

  constructor(
    private readonly windowMs: number,
    private readonly capacity: number,
  ) {}

  get size(): number {
    return this.seen.size
  }

  /** Whether `key` was recorded within the window before `now`. */
  has(key: string, now: number): boolean {
    const at = this.seen.get(key)
    return at !== undefined && now - at <= this.windowMs
  }

  /**
   * Records `key` as seen at `now`. Callers record a record's id only once it is stored, so a
   * batch that failed to store is not mistaken for a duplicate when its sender retries it.
   */
  record(key: string, now: number): void {
    this.seen.delete(key)
    this.seen.set(key, now)
    this.evict(now)
  }

  private evict(now: number): void {
    // Map iterates in insertion order, so the oldest entries come first.
    for (const [key, at] of this.seen) {
      if (this.seen.size <= this.capacity && now - at <= this.windowMs) break
      this.seen.delete(key)
    }
  }
}
