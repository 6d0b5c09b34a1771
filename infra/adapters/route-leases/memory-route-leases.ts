import type { RouteLeases } from '../../../schemas/ports/index.js'

interface Held {
  readonly member: string
  readonly epoch: number
  until: number
}

/**
 * Route leases in this process (`memory:`): for speed workers sharing one process, and the
 * contract tests. Same rules as the Redis adapter, with this process's clock.
 */
export class MemoryRouteLeases implements RouteLeases {
  readonly location = 'memory:'
  private readonly members = new Map<string, number>()
  private readonly leases = new Map<number, Held>()
  private readonly epochs = new Map<number, number>()

  constructor(private readonly now: () => number = Date.now) {}

  heartbeat(member: string, ttlMs: number): Promise<readonly string[]> {
    const now = this.now()
    this.members.set(member, now + ttlMs)
    for (const [m, until] of this.members) if (until <= now) this.members.delete(m)
    return Promise.resolve([...this.members.keys()].sort())
  }

  private live(route: number): Held | undefined {
    const held = this.leases.get(route)
    if (held === undefined || held.until > this.now()) return held
    this.leases.delete(route)
    return undefined
  }

  acquire(route: number, member: string, ttlMs: number): Promise<number | undefined> {
    if (this.live(route) !== undefined) return Promise.resolve(undefined)
    const epoch = (this.epochs.get(route) ?? 0) + 1
    this.epochs.set(route, epoch)
    this.leases.set(route, { member, epoch, until: this.now() + ttlMs })
    return Promise.resolve(epoch)
  }

  renew(route: number, member: string, epoch: number, ttlMs: number): Promise<boolean> {
    const held = this.live(route)
    if (held === undefined || held.member !== member || held.epoch !== epoch)
      return Promise.resolve(false)
    held.until = this.now() + ttlMs
    return Promise.resolve(true)
  }

  release(route: number, member: string, epoch: number): Promise<void> {
    const held = this.live(route)
    if (held !== undefined && held.member === member && held.epoch === epoch)
      this.leases.delete(route)
    return Promise.resolve()
  }

  leave(member: string): Promise<void> {
    this.members.delete(member)
    return Promise.resolve()
  }

  close(): Promise<void> {
    return Promise.resolve()
  }
}
