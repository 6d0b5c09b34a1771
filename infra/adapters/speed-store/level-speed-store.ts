import { Level } from 'level'
import type { SpeedChanges, SpeedRead, SpeedStore } from '../../../schemas/ports/index.js'

type Db = Level<string, Uint8Array>

const SWEEP_MS = 60_000
const EXPIRY_BYTES = 8

const ROUTE_WIDTH = 6
const routeText = (route: number): string => String(route).padStart(ROUTE_WIDTH, '0')
const entryKey = (route: number, key: string): string => `${routeText(route)}\u0000${key}`
const versionKey = (route: number): string => `${routeText(route)}\u0001version`

/** A value with its expiry (epoch ms, 0 for none) in front. */
function stamped(value: Uint8Array, ttlSeconds: number | undefined, now: number): Uint8Array {
  const out = new Uint8Array(EXPIRY_BYTES + value.byteLength)
  new DataView(out.buffer).setFloat64(0, ttlSeconds ? now + ttlSeconds * 1000 : 0)
  out.set(value, EXPIRY_BYTES)
  return out
}

/** The value, or undefined once expired. */
function unstamped(bytes: Uint8Array, now: number): Uint8Array | undefined {
  const expires = new DataView(bytes.buffer, bytes.byteOffset, EXPIRY_BYTES).getFloat64(0)
  return expires !== 0 && expires <= now ? undefined : bytes.subarray(EXPIRY_BYTES)
}

/**
 * The speed store in one LevelDB (`level://PATH`), the embedded default: a route's commit checks
 * its version and writes one atomic batch under a per-route lock. LevelDB lets one process open
 * the directory, so this process's workers are the only writers. Expired entries are invisible
 * at once and deleted by a sweep every minute.
 */
export class LevelSpeedStore implements SpeedStore {
  readonly location: string
  private readonly versions = new Map<number, number>()
  private readonly locks = new Map<number, Promise<unknown>>()
  private readonly sweeper: NodeJS.Timeout

  private constructor(
    private readonly db: Db,
    path: string,
    private readonly now: () => number,
  ) {
    this.location = `level://${path}`
    this.sweeper = setInterval(() => void this.sweep().catch(() => undefined), SWEEP_MS)
    this.sweeper.unref()
  }

  static async open(path: string, now: () => number = Date.now): Promise<LevelSpeedStore> {
    const db = new Level<string, Uint8Array>(path, { keyEncoding: 'utf8', valueEncoding: 'view' })
    await db.open()
    return new LevelSpeedStore(db, path, now)
  }

  private async version(route: number): Promise<number> {
    const cached = this.versions.get(route)
    if (cached !== undefined) return cached
    const bytes = await this.db.get(versionKey(route))
    const version =
      bytes === undefined ? 0 : new DataView(bytes.buffer, bytes.byteOffset).getFloat64(0)
    this.versions.set(route, version)
    return version
  }

  async read(route: number, keys: readonly string[]): Promise<SpeedRead> {
    const version = await this.version(route)
    const now = this.now()
    const found = await this.db.getMany(keys.map((k) => entryKey(route, k)))
    const values = new Map<string, Uint8Array>()
    found.forEach((bytes, i) => {
      const value = bytes === undefined ? undefined : unstamped(bytes, now)
      if (value !== undefined) values.set(keys[i] as string, value)
    })
    return { version, values }
  }

  async *range(
    route: number,
    gte: string,
    lt: string,
  ): AsyncGenerator<readonly [string, Uint8Array]> {
    const now = this.now()
    const prefix = entryKey(route, '')
    for await (const [key, bytes] of this.db.iterator({
      gte: entryKey(route, gte),
      lt: entryKey(route, lt),
    })) {
      const value = unstamped(bytes, now)
      if (value !== undefined) yield [key.slice(prefix.length), value] as const
    }
  }

  commit(route: number, expected: number, changes: SpeedChanges): Promise<boolean> {
    // Commits to one route run one at a time, so the version check and the batch are atomic.
    const previous = this.locks.get(route) ?? Promise.resolve()
    const run = previous.then(async () => {
      if ((await this.version(route)) !== expected) return false
      const now = this.now()
      const version = new Uint8Array(8)
      new DataView(version.buffer).setFloat64(0, expected + 1)
      await this.db.batch([
        ...(changes.puts ?? []).map((p) => ({
          type: 'put' as const,
          key: entryKey(route, p.key),
          value: stamped(p.value, p.ttlSeconds, now),
        })),
        ...(changes.deletes ?? []).map((key) => ({
          type: 'del' as const,
          key: entryKey(route, key),
        })),
        { type: 'put' as const, key: versionKey(route), value: version },
      ])
      this.versions.set(route, expected + 1)
      return true
    })
    this.locks.set(
      route,
      run.catch(() => undefined),
    )
    return run
  }

  /** Deletes expired entries (readers already skip them). */
  async sweep(): Promise<number> {
    const now = this.now()
    const expired: string[] = []
    for await (const [key, bytes] of this.db.iterator())
      if (key[ROUTE_WIDTH] === '\u0000' && unstamped(bytes, now) === undefined) expired.push(key)
    if (expired.length > 0)
      await this.db.batch(expired.map((key) => ({ type: 'del' as const, key })))
    return expired.length
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper)
    await Promise.all(this.locks.values())
    await this.db.close()
  }
}
