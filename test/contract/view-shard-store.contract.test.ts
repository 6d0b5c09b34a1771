import { afterAll, describe, expect, it } from 'vitest'
import { LevelShardStore } from '../../infra/adapters/view-shards/level-shard-store.js'
import { StoreError, type ViewShardStore } from '../../schemas/ports/index.js'
import { tempDir } from '../support/temp-dir.js'

// LevelDB is this port's only adapter: shards are local by nature, and what makes them
// distributed is publishing their files through the object store port (batch/view-versions).
const ADAPTERS: readonly [string, () => ViewShardStore][] = [['level', () => new LevelShardStore()]]
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
const text = (b: Uint8Array | undefined): string | undefined =>
  b === undefined ? undefined : new TextDecoder().decode(b)

describe.each(ADAPTERS)('ViewShardStore contract: %s', (_name, make) => {
  const dir = tempDir('shards')
  afterAll(() => dir.remove())
  let n = 0
  const fresh = () => `${dir.path}/${n++}`

  it('reads back what was written, in key order, within [gte, lt)', async () => {
    const store = make()
    const path = fresh()
    const w = await store.create(path)
    await w.write([
      ['s1\u0000hour\u00002', bytes('two')],
      ['s1\u0000hour\u00001', bytes('one')],
      ['s2\u0000hour\u00001', bytes('other stream')],
    ])
    await w.write([
      ['s1\u0000hour\u00003', bytes('three')],
      ['s1\u0000hour\u00001', bytes('ONE')],
    ])
    await w.close()
    const r = await store.open(path)
    const got: [string, string | undefined][] = []
    for await (const [k, v] of r.range('s1\u0000hour\u0000', 's1\u0000hour\u00003'))
      got.push([k, text(v)])
    expect(got).toEqual([
      ['s1\u0000hour\u00001', 'ONE'],
      ['s1\u0000hour\u00002', 'two'],
    ])
    expect(text(await r.get('s2\u0000hour\u00001'))).toBe('other stream')
    expect(await r.get('nope')).toBeUndefined()
    await r.close()
  })

  it('orders keys bytewise, so unicode keys scan as their UTF-8 bytes', async () => {
    const store = make()
    const path = fresh()
    const w = await store.create(path)
    await w.write([
      ['b', bytes('1')],
      ['é', bytes('2')],
      ['a', bytes('3')],
      ['z', bytes('4')],
    ])
    await w.close()
    const r = await store.open(path)
    const keys: string[] = []
    for await (const [k] of r.range('', '\uffff')) keys.push(k)
    expect(keys).toEqual(['a', 'b', 'z', 'é'])
    await r.close()
  })

  it('refuses to create over an existing shard and to open a missing one', async () => {
    const store = make()
    const path = fresh()
    const w = await store.create(path)
    await w.close()
    await expect(store.create(path)).rejects.toThrow(StoreError)
    await expect(store.open(`${path}-missing`)).rejects.toThrow(StoreError)
  })

  it('reopens a closed shard to change it: clears a range, reads its own writes, keeps the rest', async () => {
    const store = make()
    const path = fresh()
    const w = await store.create(path)
    await w.write([
      ['a1', bytes('1')],
      ['b1', bytes('2')],
      ['b2', bytes('3')],
      ['c1', bytes('4')],
    ])
    await w.close()
    const u = await store.reopen(path)
    await u.clear('b', 'c')
    await u.write([['b3', bytes('5')]])
    const seen: string[] = []
    for await (const [k, v] of u.range('a', 'z')) seen.push(`${k}=${text(v) ?? ''}`)
    expect(seen).toEqual(['a1=1', 'b3=5', 'c1=4'])
    await u.close()
    const r = await store.open(path)
    const after: string[] = []
    for await (const [k] of r.range('', '\uffff')) after.push(k)
    expect(after).toEqual(['a1', 'b3', 'c1'])
    await r.close()
    await expect(store.reopen(`${path}-missing`)).rejects.toThrow(StoreError)
  })
})
