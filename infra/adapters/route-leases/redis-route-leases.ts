import { Redis } from 'ioredis'
import type { RouteLeases } from '../../../schemas/ports/index.js'

export interface RedisRouteLeasesOptions {
  readonly host: string
  readonly port: number
  /** Key prefix, the queue's: one Sluice installation's speed processes share it. */
  readonly prefix: string
}

// KEYS: lease, epoch counter. ARGV: member, ttl ms. The epoch grows with every new holder.
const ACQUIRE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return nil end
local epoch = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. epoch, 'PX', ARGV[2])
return epoch`
// KEYS: lease. ARGV: member|epoch, ttl ms.
const RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`
// KEYS: members zset. ARGV: member, ttl ms. Redis's clock decides when a member lapses.
const HEARTBEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZRANGE', KEYS[1], 0, -1)`

/**
 * Route leases on Redis (the queue's Redis, `redis://HOST:PORT`): a lease is a key holding
 * `member|epoch` with a PX expiry, taken, renewed and released by scripts that compare before
 * they change, so two members never both hold a route by Redis's account. Members are a
 * sorted set scored by when their heartbeat lapses, by Redis's clock.
 */
export class RedisRouteLeases implements RouteLeases {
  readonly location: string
  private readonly redis: Redis

  constructor(private readonly options: RedisRouteLeasesOptions) {
    this.location = `redis://${options.host}:${options.port} (${options.prefix}:speed-leases)`
    this.redis = new Redis({
      host: options.host,
      port: options.port,
      // Commands wait for the connection (the first ones are sent while it opens), but fail
      // after one reconnection attempt in an outage rather than hang.
      maxRetriesPerRequest: 1,
    })
    // Outages surface as failed calls; the client reconnects by itself.
    this.redis.on('error', () => undefined)
  }

  private key(...parts: readonly (string | number)[]): string {
    return `${this.options.prefix}:speed-leases:${parts.join(':')}`
  }

  async heartbeat(member: string, ttlMs: number): Promise<readonly string[]> {
    const members = (await this.redis.eval(
      HEARTBEAT,
      1,
      this.key('members'),
      member,
      String(ttlMs),
    )) as string[]
    return [...members].sort()
  }

  async acquire(route: number, member: string, ttlMs: number): Promise<number | undefined> {
    const epoch = (await this.redis.eval(
      ACQUIRE,
      2,
      this.key('route', route),
      this.key('epoch', route),
      member,
      String(ttlMs),
    )) as number | null
    return epoch === null ? undefined : Number(epoch)
  }

  async renew(route: number, member: string, epoch: number, ttlMs: number): Promise<boolean> {
    const ok = await this.redis.eval(
      RENEW,
      1,
      this.key('route', route),
      `${member}|${epoch}`,
      String(ttlMs),
    )
    return Number(ok) === 1
  }

  async release(route: number, member: string, epoch: number): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key('route', route), `${member}|${epoch}`)
  }

  async leave(member: string): Promise<void> {
    await this.redis.zrem(this.key('members'), member)
  }

  async close(): Promise<void> {
    this.redis.disconnect()
    return Promise.resolve()
  }
}
