import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { tempDir } from '../../../test/support/temp-dir.js'
import { LocalDirObjectStore } from './local-dir-adapter.js'

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('LocalDirObjectStore beyond the contract', () => {
  const dir = tempDir('local-store')
  afterAll(() => dir.remove())

  // Real S3 orders keys by their UTF-8 bytes, so `a-b` precedes `a/x`. (s3rver, our test S3,
  // walks its directories and does not, so the shared contract cannot assert this.)
  it('orders a name before a directory it prefixes, as S3 does', async () => {
    const store = new LocalDirObjectStore(join(dir.path, 'order'))
    for (const key of ['a/x', 'a-b', 'a0']) await store.put(key, bytes(key))
    expect((await store.list('')).objects.map((o) => o.key)).toEqual(['a-b', 'a/x', 'a0'])
    expect((await store.list('', { after: 'a-b' })).objects.map((o) => o.key)).toEqual([
      'a/x',
      'a0',
    ])
  })

  it('hides the temp files of a crashed writer and sweeps them', async () => {
    const root = join(dir.path, 'temp')
    const store = new LocalDirObjectStore(root)
    await store.put('d/k', bytes('kept'))
    writeFileSync(join(root, 'd', '.tmp-deadbeef'), 'half a write')
    expect((await store.list('d/')).objects.map((o) => o.key)).toEqual(['d/k'])
    expect(await store.sweepTemp()).toBe(1)
    expect(readdirSync(join(root, 'd'))).toEqual(['k'])
  })
})
