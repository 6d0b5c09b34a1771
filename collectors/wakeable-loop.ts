/**
 * A background loop that runs `pass` now, then again when woken or after `idleMs`, or after
 * the delay `pass` returns (a retry backoff). One pass at a time; `stop` waits for the current.
 */
export class WakeableLoop {
  private wake: (() => void) | undefined
  private running: Promise<void> | undefined
  private stopped = false
  private woken = false
  private exclusive: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly pass: () => Promise<number | undefined>,
    private readonly idleMs: number,
  ) {}

  start(): void {
    if (this.running !== undefined) return
    this.running = (async () => {
      while (!this.stopped) {
        this.woken = false
        const delay = (await this.runPass()) ?? this.idleMs
        if (this.stopped || this.woken) continue
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay)
          this.wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        this.wake = undefined
      }
    })()
  }

  /** Runs one pass now, after any pass in progress (passes never overlap). */
  runPass(): Promise<number | undefined> {
    const run = this.exclusive.then(
      () => this.pass(),
      () => this.pass(),
    )
    this.exclusive = run.catch(() => undefined)
    return run
  }

  /**
   * Runs passes until `done()` holds after one, waiting out failed passes' delays; gives up
   * with `failure()` after `attempts` failed passes in a row.
   */
  async drain(done: () => boolean, failure: () => Error, attempts = 5): Promise<void> {
    let failed = 0
    for (;;) {
      const delay = await this.runPass()
      if (delay === undefined) {
        failed = 0
        if (done()) return
        continue
      }
      if (++failed >= attempts) throw failure()
      await new Promise((resolve) => setTimeout(resolve, Math.min(delay, 2000)))
    }
  }

  /** Runs a pass soon (now, or right after the one in progress). */
  poke(): void {
    this.woken = true
    this.wake?.()
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.wake?.()
    await this.running
  }
}
