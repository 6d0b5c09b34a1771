import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible'
import type { ApiKeyRecord, ApiKeys } from '../keys/api-keys.js'
import { ApiRefusal } from './api-refusal.js'

/** What one API key may do. */
export interface KeyLimits {
  /** Requests a key may make per second, sustained… */
  readonly ratePerSecond: number
  /** …and at once. */
  readonly burst: number
  /** Requests of one key in progress at once (live connections apart). */
  readonly maxConcurrent: number
  /** Live connections (HTTP, WebSocket, subscriptions) one key may hold open. */
  readonly maxLive: number
  /** Work units (see operation-work.ts) a key may spend per second, sustained… */
  readonly workPerSecond: number
  /** …and in one request or burst. */
  readonly maxWork: number
}

export const DEFAULT_KEY_LIMITS: KeyLimits = {
  ratePerSecond: 200,
  burst: 400,
  maxConcurrent: 32,
  maxLive: 100,
  workPerSecond: 200,
  maxWork: 2_000,
}

/** A request let in: whose key, and a way to ask later whether that key still holds. */
export interface Admission {
  readonly key: ApiKeyRecord
  /** False once the key is revoked (seen within the keys' cache time). */
  readonly stillValid: () => Promise<boolean>
}

/** The key a request carries: `x-api-key: KEY` or `authorization: Bearer KEY`. */
function keyOf(headers: Headers): string | undefined {
  const direct = headers.get('x-api-key')
  if (direct !== null && direct !== '') return direct.trim()
  const auth = headers.get('authorization')
  const m = auth === null ? null : /^Bearer\s+(\S+)$/i.exec(auth)
  return m?.[1]
}

function rateRefusal(e: unknown, what: string): ApiRefusal {
  if (!(e instanceof RateLimiterRes)) throw e
  const retry = Math.max(1, Math.ceil(e.msBeforeNext / 1000))
  return new ApiRefusal(
    429,
    'RATE_LIMITED',
    `${what}; retry in ${retry} s or spread requests out`,
    {
      'retry-after': String(retry),
    },
  )
}

/**
 * Every request's way in: the key verified (401), its request rate (429), how many of its
 * requests and live connections are open at once (429), and the work its operations cost
 * (429). Each refusal says what limit was met and what to do.
 */
export class KeyGate {
  private readonly rate: RateLimiterMemory
  private readonly work: RateLimiterMemory
  private readonly open = new Map<string, number>()
  private readonly live = new Map<string, number>()

  constructor(
    private readonly keys: ApiKeys,
    readonly limits: KeyLimits,
    private readonly onRefuse: (reason: string) => void = () => undefined,
  ) {
    this.rate = new RateLimiterMemory({
      points: limits.burst,
      duration: limits.burst / limits.ratePerSecond,
    })
    this.work = new RateLimiterMemory({
      points: limits.maxWork,
      duration: limits.maxWork / limits.workPerSecond,
    })
  }

  /** The request's verified key within its rate; throws the 401 or 429 to answer. */
  async admit(headers: Headers): Promise<Admission> {
    const given = keyOf(headers)
    if (given === undefined) {
      this.onRefuse('no_key')
      throw new ApiRefusal(
        401,
        'UNAUTHENTICATED',
        'an API key is required: send it as `x-api-key: KEY` or `authorization: Bearer KEY`',
      )
    }
    const key = await this.keys.verify(given)
    if (key === undefined) {
      this.onRefuse('bad_key')
      throw new ApiRefusal(401, 'UNAUTHENTICATED', 'that API key is unknown or revoked')
    }
    try {
      await this.rate.consume(key.id)
    } catch (e) {
      this.onRefuse('rate')
      throw rateRefusal(
        e,
        `rate limit: ${this.limits.ratePerSecond} requests/s per key (bursts of ${this.limits.burst})`,
      )
    }
    return { key, stillValid: async () => (await this.keys.verify(given)) !== undefined }
  }

  /** Counts a request of `keyId` as open until the returned release is called; 429 past the limit. */
  hold(keyId: string): () => void {
    return this.count(
      this.open,
      keyId,
      this.limits.maxConcurrent,
      'concurrency',
      `${this.limits.maxConcurrent} requests of this key are in progress; wait for some to finish`,
    )
  }

  /** The same for a live connection. */
  holdLive(keyId: string): () => void {
    return this.count(
      this.live,
      keyId,
      this.limits.maxLive,
      'live',
      `this key has ${this.limits.maxLive} live connections open, its limit; close some first`,
    )
  }

  /** Spends `units` of the key's work budget; throws 429 when it cannot. */
  async charge(keyId: string, units: number): Promise<void> {
    if (units <= 0) return
    if (units > this.limits.maxWork) {
      this.onRefuse('work')
      throw new ApiRefusal(
        400,
        'QUERY_TOO_COSTLY',
        `the request would do ${units} units of work (filters compiled, data sampled); the limit is ${this.limits.maxWork}: send fewer or smaller filters at a time`,
      )
    }
    try {
      await this.work.consume(keyId, units)
    } catch (e) {
      this.onRefuse('work')
      throw rateRefusal(
        e,
        `work limit: ${this.limits.workPerSecond} units/s per key (${this.limits.maxWork} at once); this request needs ${units}`,
      )
    }
  }

  private count(
    counts: Map<string, number>,
    keyId: string,
    limit: number,
    reason: string,
    message: string,
  ): () => void {
    const now = counts.get(keyId) ?? 0
    if (now >= limit) {
      this.onRefuse(reason)
      throw new ApiRefusal(429, 'RATE_LIMITED', message, { 'retry-after': '1' })
    }
    counts.set(keyId, now + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      const left = (counts.get(keyId) ?? 1) - 1
      if (left <= 0) counts.delete(keyId)
      else counts.set(keyId, left)
    }
  }
}
