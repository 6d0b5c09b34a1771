import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openObjectStore } from '../../infra/adapters/open-object-store.js'
import { parseStoreUrl } from '../../infra/config/adapter-urls.js'
import { startS3Server, type S3Server } from '../../infra/launchers/s3-server-launcher.js'
import { StoreError, listAll, type ObjectStore } from '../../schemas/ports/index.js'
import { chosenAdapters } from '../support/adapter-choice.js'
import { tempDir } from '../support/temp-dir.js'

const ADAPTERS = chosenAdapters('SLUICE_TEST_STORES', ['file', 's3'] as const)
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
const text = (b: Uint8Array | undefined): string | undefined =>
  b === undefined ? undefined : new TextDecoder().decode(b)

describe.each(ADAPTERS)('ObjectStore contract: %s', (adapter) => {
  const dir = tempDir(`store-${adapter}`)
  let s3: S3Server | undefined
  // A fresh namespace per test: its own directory, or its own key prefix in the bucket.
  const freshStore = (): ObjectStore => {
    const url =
      adapter === 'file'
        ? `file://${dir.path}/${randomUUID()}`
        : (s3?.url(`${randomUUID()}/`) ?? '')
    return openObjectStore(parseStoreUrl('store', url))
  }

  beforeAll(async () => {
    if (adapter === 's3')
      s3 = await startS3Server({ directory: `${dir.path}/s3`, bucket: 'sluice' })
  })
  afterAll(async () => {
    await s3?.process.stop()
    dir.remove()
  })

  it('reads back what was put, byte for byte, and reports its size', async () => {
    const store = freshStore()
    const body = new Uint8Array(70_000).map((_, i) => (i * 31) % 256)
    await store.put('raw/source=twitter-v1/date=2026-11-22/c1-1.ndjson.gz', body)
    const got = await store.get('raw/source=twitter-v1/date=2026-11-22/c1-1.ndjson.gz')
    expect(got === undefined ? undefined : Buffer.compare(got, body)).toBe(0)
    expect(await store.head('raw/source=twitter-v1/date=2026-11-22/c1-1.ndjson.gz')).toMatchObject({
      key: 'raw/source=twitter-v1/date=2026-11-22/c1-1.ndjson.gz',
      size: 70_000,
    })
  })

  it('answers undefined for a missing key, and deleting one is not an error', async () => {
    const store = freshStore()
    expect(await store.get('nope/x')).toBeUndefined()
    expect(await store.head('nope/x')).toBeUndefined()
    expect(await store.getRange('nope/x', 0, 10)).toBeUndefined()
    await expect(store.delete('nope/x')).resolves.toBeUndefined()
  })

  it('overwrites a key whole, and deletes it', async () => {
    const store = freshStore()
    await store.put('k/v', bytes('first version, longer'))
    await store.put('k/v', bytes('second'))
    expect(text(await store.get('k/v'))).toBe('second')
    expect((await store.head('k/v'))?.size).toBe(6)
    await store.delete('k/v')
    expect(await store.get('k/v')).toBeUndefined()
    expect((await store.list('k/')).objects).toEqual([])
  })

  it('reads ranges, clipped at the end of the object', async () => {
    const store = freshStore()
    await store.put('r', bytes('0123456789'))
    expect(text(await store.getRange('r', 2, 5))).toBe('234')
    expect(text(await store.getRange('r', 7, 100))).toBe('789')
    expect(text(await store.getRange('r', 10, 20))).toBe('')
    expect(text(await store.getRange('r', 3, 3))).toBe('')
    await expect(store.getRange('r', 5, 2)).rejects.toBeInstanceOf(StoreError)
  })

  it('lists by prefix in key order, page by page, resuming where a page ended', async () => {
    const store = freshStore()
    const keys = [
      'a/x',
      'a/y/z',
      'a0',
      'b/1',
      ...Array.from({ length: 23 }, (_, i) => `p/part-${String(i).padStart(3, '0')}`),
      'p/q/deep/er',
      'pz',
    ]
    for (const key of keys) await store.put(key, bytes(key))
    const sorted = [...keys].sort()

    const pages: string[][] = []
    let after: string | undefined
    do {
      const page = await store.list('', after === undefined ? { limit: 7 } : { limit: 7, after })
      expect(page.objects.length).toBeLessThanOrEqual(7)
      pages.push(page.objects.map((o) => o.key))
      after = page.next
    } while (after !== undefined)
    expect(pages.flat()).toEqual(sorted)
    expect(pages.length).toBe(Math.ceil(keys.length / 7))

    const underP: string[] = []
    for await (const o of listAll(store, 'p/')) underP.push(o.key)
    expect(underP).toEqual(sorted.filter((k) => k.startsWith('p/')))
    // A prefix that ends inside a name, not at a slash.
    expect((await store.list('a')).objects.map((o) => o.key)).toEqual(['a/x', 'a/y/z', 'a0'])
    expect((await store.list('p/q/')).objects.map((o) => [o.key, o.size])).toEqual([
      ['p/q/deep/er', 11],
    ])
    expect((await store.list('zzz/')).objects).toEqual([])
  })

  it('gives a URL that serves the object for a while where it can, and none where it cannot', async () => {
    const store = freshStore()
    await store.put('replays/r/chunks/a.ndjson.gz', bytes('payload'))
    const url = await store.presignedGet('replays/r/chunks/a.ndjson.gz', 60)
    if (adapter === 'file') expect(url).toBeUndefined()
    else {
      // Fetched without any credentials: the signature in the URL is the permission (s3rver
      // does not check signatures, so what S3 refuses — another key, a late request — is not
      // tested here).
      expect(url).toMatch(/X-Amz-Signature=[0-9a-f]{64}/)
      expect(url).toMatch(/X-Amz-Expires=60\b/)
      const res = await fetch(url as string)
      expect(res.status).toBe(200)
      expect(await res.text()).toBe('payload')
    }
  })

  it('rejects keys that would mean different things on different stores', async () => {
    const store = freshStore()
    for (const key of ['', '/abs', 'a//b', 'a/../b', './a', 'a/.tmp-x'])
      await expect(store.put(key, bytes('x'))).rejects.toMatchObject({ code: 'invalid' })
  })
})
