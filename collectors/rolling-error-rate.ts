// One bucket per minute; thirty of them make the window the health check reports on.
const BUCKET_MS = 60_000

/** Requests and errors over a trailing window, in per-minute buckets (constant memory). */
export class RollingErrorRate {
  private readonly requests: number[]
  private readonly errors: number[]
  private readonly stamps: number[]

  constructor(
    private readonly windowMs = 30 * 60_000,
    private readonly now: () => number = Date.now,
  ) {
    const n = Math.ceil(windowMs / BUCKET_MS)
    this.requests = new Array<number>(n).fill(0)
    this.errors = new Array<number>(n).fill(0)
    this.stamps = new Array<number>(n).fill(-1)
  }

  private bucket(): number {
    const minute = Math.floor(this.now() / BUCKET_MS)
    const i = minute % this.stamps.length
    if (this.stamps[i] !== minute) {
      this.stamps[i] = minute
      this.requests[i] = 0
      this.errors[i] = 0
    }
    return i
  }

  note(failed: boolean): void {
    const i = this.bucket()
    this.requests[i] = (this.requests[i] ?? 0) + 1
    if (failed) this.errors[i] = (this.errors[i] ?? 0) + 1
  }

  /** Requests and errors within the window. */
  totals(): { requests: number; errors: number; windowMs: number } {
    const oldest = Math.floor((this.now() - this.windowMs) / BUCKET_MS)
    let requests = 0
    let errors = 0
    for (let i = 0; i < this.stamps.length; i++)
      if ((this.stamps[i] ?? -1) > oldest) {
        requests += this.requests[i] ?? 0
        errors += this.errors[i] ?? 0
      }
    return { requests, errors, windowMs: this.windowMs }
  }
}
