/** Exponential backoff between tries of a background loop, reset by a success. */
export class RetryBackoff {
  private delay: number

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
  ) {
    this.delay = initialMs
  }

  /** The delay before the next try after a failure (doubling, capped). */
  failed(): number {
    const d = this.delay
    this.delay = Math.min(this.maxMs, this.delay * 2)
    return d
  }

  succeeded(): void {
    this.delay = this.initialMs
  }
}
