import { hostname } from 'node:os'
import { isJsonObject } from '../schemas/index.js'
import { type ObjectStore } from '../schemas/ports/index.js'

export const SHRED_LOCK_KEY = 'master/_lock.json'

interface LockBody {
  readonly owner: string
  readonly host: string
  readonly pid: number
  readonly at: number
}

/** Another shredder holds the master dataset. */
export class ShredLockedError extends Error {
  override readonly name = 'ShredLockedError'
  constructor(
    readonly holder: string,
    readonly since: Date,
  ) {
    super(
      `the master dataset is being written by ${holder} (lock refreshed ${since.toISOString()}); ` +
        `wait for it, or remove ${SHRED_LOCK_KEY} if that process is gone`,
    )
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * A best-effort guard against two shredders at once (the store has no conditional write, so
 * this cannot be a true mutex; the commit log also refuses a version written twice). A lock is
 * stale when it was not refreshed for `staleMs`, or when its process on this host is gone, so
 * a killed run does not block the next one.
 */
export class ShredLock {
  private readonly body: LockBody

  constructor(
    private readonly store: ObjectStore,
    private readonly staleMs: number = 10 * 60_000,
  ) {
    this.body = { owner: `${hostname()}:${process.pid}`, host: hostname(), pid: process.pid, at: 0 }
  }

  async acquire(): Promise<void> {
    const bytes = await this.store.get(SHRED_LOCK_KEY)
    if (bytes !== undefined) {
      let held: unknown
      try {
        held = JSON.parse(new TextDecoder().decode(bytes))
      } catch {
        held = undefined
      }
      if (isJsonObject(held)) {
        const { owner, host, pid, at } = held
        const fresh = typeof at === 'number' && Date.now() - at < this.staleMs
        const gone = host === hostname() && typeof pid === 'number' && !alive(pid)
        if (fresh && !gone && owner !== this.body.owner)
          throw new ShredLockedError(
            typeof owner === 'string' ? owner : 'another shredder',
            new Date(at),
          )
      }
    }
    await this.refresh()
  }

  async refresh(): Promise<void> {
    const body: LockBody = { ...this.body, at: Date.now() }
    await this.store.put(SHRED_LOCK_KEY, new TextEncoder().encode(JSON.stringify(body)))
  }

  async release(): Promise<void> {
    await this.store.delete(SHRED_LOCK_KEY)
  }
}
