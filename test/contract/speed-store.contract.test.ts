import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SpeedStore } from '../../schemas/ports/index.js'
import { SPEED_STORE_ADAPTERS, speedStores } from '../support/speed-stores.js'

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
const text = (b: Uint8Array | undefined): string | undefined =>
  b === undefined ? undefined : new TextDecoder().decode(b)

async function entries(store: SpeedStore, route: number, gte = '', lt = '\uffff') {
  const out: [string, string | undefined][] = []
  for await (const [k, v] of store.range(route, gte, lt)) out.push([k, text(v)])
  return out
}

describe.each(SPEED_STORE_ADAPTERS)('SpeedStore contract: %s', (adapter) => {
  const stores = speedStores(adapter, 'speed-store')
  const fresh = (at?: string): Promise<SpeedStore> => stores.fresh(at)
  beforeAll(() => stores.start(), 180_000)
  afterAll(() => stores.stop())

  it('starts every route at version 0, empty; a commit applies and bumps the version', async () => {
    const store = await fresh()
    const empty = await store.read(7, ['a'])
    expect(empty.version).toBe(0)
    expect(empty.values.size).toBe(0)
    expect(await store.commit(7, 0, { puts: [{ key: 'a', value: bytes('one') }] })).toBe(true)
    const after = await store.read(7, ['a', 'missing'])
    expect(after.version).toBe(1)
    expect([...after.values].map(([k, v]) => [k, text(v)])).toEqual([['a', 'one']])
    // Routes are independent.
    expect((await store.read(8, ['a'])).version).toBe(0)
    expect((await store.read(8, ['a'])).values.size).toBe(0)
  }, 60_000)

  it('refuses a commit made from a stale read, changing nothing', async () => {
    const store = await fresh()
    expect(await store.commit(1, 0, { puts: [{ key: 'k', value: bytes('first') }] })).toBe(true)
    expect(
      await store.commit(1, 0, {
        puts: [
          { key: 'k', value: bytes('stale') },
          { key: 'other', value: bytes('x') },
        ],
        deletes: ['k'],
      }),
    ).toBe(false)
    const read = await store.read(1, ['k', 'other'])
    expect(read.version).toBe(1)
    expect([...read.values].map(([k, v]) => [k, text(v)])).toEqual([['k', 'first']])
  }, 60_000)

  it('lets exactly one of several concurrent commits from the same read through', async () => {
    const store = await fresh()
    await store.commit(2, 0, { puts: [{ key: 'n', value: bytes('0') }] })
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        store.commit(2, 1, { puts: [{ key: 'n', value: bytes(String(i)) }] }),
      ),
    )
    expect(results.filter(Boolean)).toHaveLength(1)
    const winner = results.indexOf(true) + 1
    const read = await store.read(2, ['n'])
    expect(read.version).toBe(2)
    expect(text(read.values.get('n'))).toBe(String(winner))
  }, 60_000)

  it('keeps every update when writers read, merge and retry on conflict', async () => {
    const store = await fresh()
    // Four writers each add 1 to a counter 10 times, retrying a refused commit from a new read.
    const add = async (): Promise<void> => {
      for (;;) {
        const { version, values } = await store.read(3, ['count'])
        const n = Number(text(values.get('count')) ?? '0')
        if (
          await store.commit(3, version, { puts: [{ key: 'count', value: bytes(String(n + 1)) }] })
        )
          return
      }
    }
    await Promise.all(
      [0, 1, 2, 3].map(async () => {
        for (let i = 0; i < 10; i++) await add()
      }),
    )
    const read = await store.read(3, ['count'])
    expect(text(read.values.get('count'))).toBe('40')
    expect(read.version).toBe(40)
  }, 120_000)

  it('applies a large commit whole, deletes, and ranges in bytewise key order within a route', async () => {
    const store = await fresh()
    const many = Array.from({ length: 1500 }, (_, i) => ({
      key: `v\u0000s1\u0000minute\u0000${String(i).padStart(5, '0')}`,
      value: bytes(`value-${i}`),
    }))
    expect(await store.commit(4, 0, { puts: many })).toBe(true)
    expect(
      await store.commit(4, 1, {
        puts: [
          { key: 'v\u0000s2\u0000é', value: bytes('unicode') },
          { key: 'v\u0000s2\u0000z', value: bytes('z') },
        ],
        deletes: [many[0]?.key ?? '', many[1]?.key ?? ''],
      }),
    ).toBe(true)
    const s1 = await entries(store, 4, 'v\u0000s1\u0000', 'v\u0000s1\u0001')
    expect(s1).toHaveLength(1498)
    expect(s1[0]).toEqual([many[2]?.key, 'value-2'])
    expect(s1.map(([k]) => k)).toEqual([...s1.map(([k]) => k)].sort())
    expect(await entries(store, 4, 'v\u0000s2\u0000', 'v\u0000s2\u0001')).toEqual([
      ['v\u0000s2\u0000z', 'z'],
      ['v\u0000s2\u0000é', 'unicode'],
    ])
    expect(await entries(store, 5)).toEqual([])
  }, 60_000)

  it('hides and drops an entry once its TTL passes', async () => {
    const store = await fresh()
    expect(
      await store.commit(6, 0, {
        puts: [
          { key: 'short', value: bytes('gone soon'), ttlSeconds: 1 },
          { key: 'long', value: bytes('stays'), ttlSeconds: 3600 },
        ],
      }),
    ).toBe(true)
    expect((await store.read(6, ['short'])).values.size).toBe(1)
    await sleep(2200)
    expect((await store.read(6, ['short', 'long'])).values.has('short')).toBe(false)
    expect(await entries(store, 6)).toEqual([['long', 'stays']])
  }, 60_000)

  it('keeps its state across a close and a new open', async () => {
    const at = stores.url()
    const first = await fresh(at)
    await first.commit(9, 0, { puts: [{ key: 'kept', value: bytes('yes') }] })
    await stores.close(first)
    const second = await fresh(at)
    const read = await second.read(9, ['kept'])
    expect(read.version).toBe(1)
    expect(text(read.values.get('kept'))).toBe('yes')
  }, 60_000)
})
