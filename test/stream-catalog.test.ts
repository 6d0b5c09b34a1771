import { afterAll, describe, expect, it } from 'vitest'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import {
  ALL_INTERACTIONS_NAME,
  CsdlCompileError,
  FilterSet,
  StreamCatalog,
  StreamNotFoundError,
  streamHash,
} from '../query-dsl/index.js'
import { interactionsOf } from './support/normalized-corpus.js'
import { tempDir } from './support/temp-dir.js'

const dir = tempDir('stream-catalog')
afterAll(() => dir.remove())
let n = 0
const fresh = () => new StreamCatalog(new LocalDirObjectStore(`${dir.path}/${n++}`))

describe('the stream catalog', () => {
  it('always holds the all-interactions stream, which matches every interaction', async () => {
    const catalog = fresh()
    const [all] = await catalog.list()
    expect(all?.owners).toEqual({ system: ALL_INTERACTIONS_NAME })
    const set = new FilterSet()
    for (const def of await catalog.definitions()) set.add(def)
    const sample = interactionsOf('reddit-api-comments-sample.jsonl.gz').slice(0, 200)
    for (const i of sample) expect(set.match(i).map((m) => m.hash)).toEqual([all?.hash])
  })

  it('registers a filter under its hash for its owner, and lists each owner its own', async () => {
    const catalog = fresh()
    const csdl = 'interaction.content contains "rugby"'
    const a = await catalog.create(csdl, 'rugby', 'alice')
    expect(a.hash).toBe(streamHash(csdl))
    expect(a.dpu).toBeGreaterThan(0)
    const b = await catalog.create(csdl, 'my rugby', 'bob')
    expect(b.owners).toEqual({ alice: 'rugby', bob: 'my rugby' })
    expect(b.createdAt).toBe(a.createdAt)
    await catalog.create('language.tag == "fr"', 'french', 'bob')
    expect((await catalog.list('alice')).map((r) => r.hash)).toEqual([a.hash])
    expect((await catalog.list('bob')).length).toBe(2)
    expect((await catalog.list()).length).toBe(3)
  })

  it('refuses a filter that does not compile, with positioned errors, and stores nothing', async () => {
    const catalog = fresh()
    const attempt = catalog.create('interaction.content contians "x"', 'bad', 'alice')
    await expect(attempt).rejects.toThrow(CsdlCompileError)
    await expect(catalog.create('interaction.nope == "x"', 'bad', 'alice')).rejects.toThrow(/1:/)
    expect(await catalog.list('alice')).toEqual([])
  })

  it('lets a stream refer to another registered one by hash', async () => {
    const catalog = fresh()
    const base = await catalog.create('language.tag == "en"', 'english', 'alice')
    const derived = await catalog.create(
      `stream "${base.hash}" and interaction.content contains "rain"`,
      'english rain',
      'alice',
    )
    const defs = await catalog.definitions()
    expect(defs.map((d) => d.hash).sort()).toContain(derived.hash)
  })

  it('compiles a reference through another reference, and refuses an unknown one', async () => {
    const catalog = fresh()
    const base = await catalog.create('language.tag == "en"', 'english', 'alice')
    const middle = await catalog.create(
      `STREAM  "${base.hash.toUpperCase()}" and interaction.content contains "rain"`,
      'english rain',
      'alice',
    )
    const top = await catalog.create(
      `stream "${middle.hash}" and not interaction.content contains "snow"`,
      'rain, no snow',
      'alice',
    )
    const def = (await catalog.definitions()).find((d) => d.hash === top.hash)
    expect(def?.references).toEqual([middle.hash])
    const unknown = catalog.create(`stream "${'0'.repeat(32)}"`, 'nothing', 'alice')
    await expect(unknown).rejects.toThrow(/no compiled stream/)
  })

  it('removes an owner, then the stream with its last owner; others cannot delete it', async () => {
    const catalog = fresh()
    const s = await catalog.create('interaction.type == "reddit"', 'reddit', 'alice')
    await catalog.create('interaction.type == "reddit"', 'reddit too', 'bob')
    await expect(catalog.delete(s.hash, 'mallory')).rejects.toThrow(StreamNotFoundError)
    await catalog.delete(s.hash, 'alice')
    expect((await catalog.get(s.hash))?.owners).toEqual({ bob: 'reddit too' })
    await catalog.delete(s.hash, 'bob')
    expect(await catalog.get(s.hash)).toBeUndefined()
  })

  it('resolves references only to the owner’s own, Sluice’s and shared streams; others read as unknown', async () => {
    const catalog = fresh()
    const bobs = await catalog.create('language.tag == "fr"', 'french', 'bob')
    // Bob's own filter on top of his: it may use it, and alice may use that one through it.
    const bobsRain = await catalog.create(
      `stream "${bobs.hash}" and interaction.content contains "pluie"`,
      'french rain',
      'bob',
    )
    const nobody = '0'.repeat(32)
    const forBob = await catalog.validate(`stream "${bobs.hash}"`, 'alice')
    const forNobody = await catalog.validate(`stream "${nobody}"`, 'alice')
    expect(forBob.ok).toBe(false)
    expect(forNobody.ok).toBe(false)
    if (forBob.ok || forNobody.ok) return
    // The same answer, but for the hash itself: nothing tells alice bob's stream exists.
    expect(forBob.diagnostics.map((d) => [d.code, d.message.replace(bobs.hash, 'H')])).toEqual(
      forNobody.diagnostics.map((d) => [d.code, d.message.replace(nobody, 'H')]),
    )
    await expect(catalog.create(`tags "${bobs.hash}"`, 'spy', 'alice')).rejects.toThrow(
      CsdlCompileError,
    )
    // The all-interactions stream is everyone's to use.
    const [all] = await catalog.list()
    expect((await catalog.validate(`stream "${all?.hash ?? ''}"`, 'alice')).ok).toBe(true)
    // Once bob shares it, alice may refer to it, and to what it refers to only through it.
    await catalog.share(bobsRain.hash, 'bob', true)
    expect((await catalog.get(bobsRain.hash))?.sharedBy).toEqual(['bob'])
    expect((await catalog.validate(`stream "${bobsRain.hash}"`, 'alice')).ok).toBe(true)
    expect((await catalog.validate(`stream "${bobs.hash}"`, 'alice')).ok).toBe(false)
    // Without an owner (the batch and speed layers, the CLI) every stream resolves.
    expect((await catalog.validate(`stream "${bobs.hash}"`)).ok).toBe(true)
    // Unsharing stops new references; only an owner can share.
    await catalog.share(bobsRain.hash, 'bob', false)
    expect((await catalog.validate(`stream "${bobsRain.hash}"`, 'alice')).ok).toBe(false)
    await expect(catalog.share(bobsRain.hash, 'alice', true)).rejects.toThrow(StreamNotFoundError)
  })
})
