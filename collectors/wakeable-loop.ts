/**
 * A background loop that runs `pass` now, then again when woken or after `idleMs`, or after
 * the delay `pass` returns (a retry backoff). One pass at a time; `stop` waits for the current.
 */
export class WakeableLoop {
  private wake: (() => void) | undefined
  private running: Promise<void> | undefined
  private stopped = false
  private woken = false

  constructor(
    private readonly pass: () => Promise<number | undefined>,
    private readonly idleMs: number,
  ) {}

  start(): void {
    if (this.running !== undefined) return
    this.running = (async () => {
      while (!this.stopped) {
        this.woken = false
        const delay = (await this.pass()) ?? this.idleMs
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
