import type { RouteLeases } from '../schemas/ports/index.js'

export interface RouteOwnershipOptions {
  readonly leases: RouteLeases
  readonly routes: number
  /** This process's member name (unique among the speed processes). */
  readonly member: string
  /** A lease's and a heartbeat's time to live; renewed every third of it. */
  readonly ttlMs: number
  /** Starts writing a route just taken (e.g. consuming its queue). */
  readonly gained: (route: number) => Promise<void>
  /**
   * Stops writing a route before it is given up (or once it was lost): resolves when nothing
   * of this process can start a commit to it any more.
   */
  readonly lost: (route: number) => Promise<void>
  readonly onError?: (error: unknown) => void
  readonly now?: () => number
}

interface Lease {
  readonly epoch: number
  /** Until when this process may start commits to the route, by its own clock. */
  until: number
}

// A lease is used only until this share of its time to live since its last renewal: a renewal
// that takes long, or a clock that runs slow, must not leave two writers.
const USABLE_SHARE = 0.75

/**
 * Divides the routes among the live speed processes through leases: route `r` belongs to the
 * `r mod n`-th of the `n` live members (sorted by name), so each process computes the same
 * plan. Every third of the time to live each process renews its heartbeat and leases, gives up
 * the routes the plan moved away (after `lost` says it stopped writing them), and takes the
 * free routes the plan gives it. A process paused past its leases (a long GC, SIGSTOP) finds
 * them taken when it wakes up and stops writing those routes; what it was committing meanwhile
 * is refused by the store's conditional commit and done by the new holder.
 */
export class RouteOwnership {
  private readonly held = new Map<number, Lease>()
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> = Promise.resolve()
  private stopped = false
  private readonly now: () => number

  constructor(private readonly options: RouteOwnershipOptions) {
    this.now = options.now ?? Date.now
  }

  /** Routes this process may write now (their lease is held and not near its end). */
  owns(route: number): boolean {
    const lease = this.held.get(route)
    return lease !== undefined && this.now() < lease.until
  }

  /** The routes held now, sorted. */
  owned(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b)
  }

  /** The epoch of the lease held on `route`, if any. */
  epochOf(route: number): number | undefined {
    return this.held.get(route)?.epoch
  }

  async start(): Promise<void> {
    await this.tick()
    this.schedule()
  }

  private schedule(): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => this.schedule())
    }, this.options.ttlMs / 3)
    this.timer.unref()
  }

  /** One round: heartbeat, renewals, hand-overs and takes. Never throws. */
  async tick(): Promise<void> {
    const { leases, member, ttlMs, routes } = this.options
    try {
      const members = await leases.heartbeat(member, ttlMs)
      const me = members.indexOf(member)
      const wanted = (route: number): boolean => me >= 0 && route % members.length === me
      for (const [route, lease] of [...this.held]) {
        const renewedAt = this.now()
        const kept = wanted(route) && (await leases.renew(route, member, lease.epoch, ttlMs))
        if (kept) {
          lease.until = renewedAt + ttlMs * USABLE_SHARE
          continue
        }
        // Lost (lapsed while paused, or taken), or planned away: stop writing, then let go.
        this.held.delete(route)
        await this.options.lost(route)
        await leases.release(route, member, lease.epoch)
      }
      for (let route = 0; route < routes; route++) {
        if (!wanted(route) || this.held.has(route) || this.stopped) continue
        const takenAt = this.now()
        const epoch = await leases.acquire(route, member, ttlMs)
        if (epoch === undefined) continue
        this.held.set(route, { epoch, until: takenAt + ttlMs * USABLE_SHARE })
        await this.options.gained(route)
      }
    } catch (e) {
      this.options.onError?.(e)
    }
  }

  /** Stops writing every route, releases the leases and leaves. */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    await this.running
    for (const [route, lease] of [...this.held]) {
      this.held.delete(route)
      // Stopping goes on for every route even when one cannot be closed cleanly.
      await this.options.lost(route).catch((e: unknown) => this.options.onError?.(e))
      await this.options.leases
        .release(route, this.options.member, lease.epoch)
        .catch(() => undefined)
    }
    await this.options.leases.leave(this.options.member).catch(() => undefined)
  }
}
