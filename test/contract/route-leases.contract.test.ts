import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openRouteLeases } from '../../infra/adapters/open-route-leases.js'
import { parseQueueUrl, type QueueConfig } from '../../infra/config/adapter-urls.js'
import type { LaunchedProcess } from '../../infra/launchers/launched-process.js'
import { startRedis } from '../../infra/launchers/redis-launcher.js'
import type { RouteLeases } from '../../schemas/ports/index.js'
import { RouteOwnership } from '../../speed/index.js'
import { chosenAdapters } from '../support/adapter-choice.js'
import { until } from '../support/until.js'

const ADAPTERS = chosenAdapters('SLUICE_TEST_QUEUES', ['memory', 'redis'] as const)

describe.each(ADAPTERS)('RouteLeases contract: %s', (adapter) => {
  let redis: { process: LaunchedProcess; url: string } | undefined
  const opened: RouteLeases[] = []
  // The memory adapter is one process's: every handle of a test shares it.
  let shared: RouteLeases | undefined
  const fresh = (): RouteLeases => {
    if (adapter === 'memory') {
      shared ??= openRouteLeases({ kind: 'memory' })
      return shared
    }
    const config: QueueConfig = parseQueueUrl('queue', `${redis?.url ?? ''}?prefix=l${prefix}`)
    const leases = openRouteLeases(config)
    opened.push(leases)
    return leases
  }
  let prefix = ''

  beforeAll(async () => {
    if (adapter === 'redis') redis = await startRedis()
  })
  afterAll(async () => {
    for (const l of opened) await l.close()
    await redis?.process.stop()
  })

  const each = (name: string, test: () => Promise<void>) =>
    it(name, async () => {
      prefix = randomUUID().slice(0, 8)
      shared = undefined
      await test()
    })

  each('gives a route to one member at a time, with a new epoch for each holder', async () => {
    const [a, b] = [fresh(), fresh()] as const
    const first = await a.acquire(0, 'a', 10_000)
    expect(first).toBeGreaterThan(0)
    expect(await b.acquire(0, 'b', 10_000)).toBeUndefined()
    // Another route is free.
    expect(await b.acquire(1, 'b', 10_000)).toBeGreaterThan(0)
    // Only the holder at its epoch renews or releases.
    expect(await b.renew(0, 'b', first ?? 0, 10_000)).toBe(false)
    expect(await a.renew(0, 'a', (first ?? 0) + 1, 10_000)).toBe(false)
    expect(await a.renew(0, 'a', first ?? 0, 10_000)).toBe(true)
    await b.release(0, 'b', first ?? 0)
    expect(await b.acquire(0, 'b', 10_000)).toBeUndefined()
    await a.release(0, 'a', first ?? 0)
    const second = await b.acquire(0, 'b', 10_000)
    expect(second).toBeGreaterThan(first ?? Infinity)
    // The former holder can no longer renew.
    expect(await a.renew(0, 'a', first ?? 0, 10_000)).toBe(false)
  })

  each('lets a lease lapse unless renewed, and a member drop out unless it beats', async () => {
    const [a, b] = [fresh(), fresh()] as const
    const epoch = await a.acquire(2, 'a', 300)
    expect(await a.heartbeat('a', 300)).toEqual(['a'])
    expect(await b.heartbeat('b', 10_000)).toEqual(['a', 'b'])
    await sleep(450)
    expect(await a.renew(2, 'a', epoch ?? 0, 300)).toBe(false)
    expect(await b.acquire(2, 'b', 10_000)).toBeGreaterThan(epoch ?? Infinity)
    expect(await b.heartbeat('b', 10_000)).toEqual(['b'])
    await b.leave('b')
    expect(await a.heartbeat('a', 10_000)).toEqual(['a'])
  })

  each(
    'divides the routes evenly among the members, and moves them as members come and go',
    async () => {
      const writing = new Map<string, Set<number>>()
      const member = (name: string): RouteOwnership => {
        const mine = new Set<number>()
        writing.set(name, mine)
        return new RouteOwnership({
          leases: fresh(),
          routes: 6,
          member: name,
          ttlMs: 600,
          gained: (route) => {
            // Never two writers of one route.
            for (const [other, routes] of writing)
              if (other !== name) expect(routes.has(route)).toBe(false)
            mine.add(route)
            return Promise.resolve()
          },
          lost: (route) => {
            mine.delete(route)
            return Promise.resolve()
          },
        })
      }
      const a = member('a')
      await a.start()
      expect(a.owned()).toEqual([0, 1, 2, 3, 4, 5])
      const b = member('b')
      await b.start()
      await until(
        'the routes to be divided',
        () => a.owned().length === 3 && b.owned().length === 3,
        10_000,
      )
      expect([...a.owned(), ...b.owned()].sort()).toEqual([0, 1, 2, 3, 4, 5])
      await b.stop()
      await until('the leaver’s routes to come back', () => a.owned().length === 6, 10_000)
      await a.stop()
      expect(a.owned()).toEqual([])
    },
  )
})
