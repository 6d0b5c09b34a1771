import { describe, expect, it } from 'vitest'
import {
  AUTHOR_INFLUENCE_VIEW,
  encodeEntries,
  topView,
  VIEWS as ALL_VIEWS,
  type AuthorInfluence,
} from '../schemas/index.js'
import { BucketRowFormatError, BucketRows, type BucketRow } from '../speed/index.js'
import { interactionsOf } from './support/normalized-corpus.js'
import { canonicalValue } from './support/view-oracle.js'

// Top summaries compared exactly need a capacity above the distinct values (see views.test.ts).
const VIEWS = ALL_VIEWS.map((v) => (v.name === 'top' ? topView(1_000_000) : v))
const tweets = interactionsOf('twitter-v1-sample.jsonl.gz').slice(0, 300)

/** Every view's items of `interactions` folded into one bucket row. */
function rowOf(rows: BucketRows, interactions: typeof tweets): BucketRow {
  const row: BucketRow = new Map()
  for (const i of interactions)
    for (const view of VIEWS) view.extract(i, (key, item) => rows.add(row, view.name, key, item))
  return row
}

/** A row's values in comparable form. */
function canonical(row: BucketRow): Record<string, string> {
  const out: Record<string, string> = {}
  for (const view of VIEWS)
    for (const [key, value] of row.get(view.name) ?? [])
      out[`${view.name}/${key}`] = canonicalValue(view, value)
  return out
}

describe('speed bucket rows', () => {
  const rows = new BucketRows(VIEWS)

  it('decode(encode(row)) is the row, and one view decodes alone', () => {
    const row = rowOf(rows, tweets)
    expect(row.size).toBe(VIEWS.length)
    const back = rows.decode(rows.encode(row).bytes)
    expect(canonical(back)).toEqual(canonical(row))
    const onlyTop = rows.decode(rows.encode(row).bytes, 'top')
    expect([...onlyTop.keys()]).toEqual(['top'])
    expect(canonical(onlyTop)).toEqual(
      Object.fromEntries(Object.entries(canonical(row)).filter(([k]) => k.startsWith('top/'))),
    )
  })

  it('merging the rows of two halves gives the row of the whole, leaving the second alone', () => {
    const first = rowOf(rows, tweets.slice(0, 120))
    const second = rowOf(rows, tweets.slice(120))
    const secondBefore = canonical(second)
    const merged = rows.merge(rows.copy(first), second)
    expect(canonical(merged)).toEqual(canonical(rowOf(rows, tweets)))
    expect(canonical(second)).toEqual(secondBefore)
  })

  it('re-encodes only the touched entries, with the same result as encoding afresh', () => {
    // A capacity small enough that merging the slices cuts the influence maps on the way.
    const small = new BucketRows(VIEWS, 40)
    const row = small.copy(rowOf(small, tweets.slice(0, 50)))
    let { encoded } = small.encode(row)
    for (let at = 50; at < tweets.length; at += 50) {
      const delta = rowOf(small, tweets.slice(at, at + 50))
      small.merge(row, delta)
      const incremental = small.encode(row, encoded, delta)
      expect(canonical(small.decode(incremental.bytes))).toEqual(canonical(row))
      expect(incremental.bytes.byteLength).toBe(small.encode(row).bytes.byteLength)
      encoded = incremental.encoded
    }
    const authors = row.get(AUTHOR_INFLUENCE_VIEW.name)?.get('') as Map<string, unknown>
    expect(authors.size).toBeLessThanOrEqual(80)
  })

  it('cuts a keyed view past twice its capacity to the entries of highest rank', () => {
    const small = new BucketRows(VIEWS, 3)
    const credit = (interactions: number): AuthorInfluence => ({
      interactions,
      retweetsReceived: 0,
      repliesReceived: 0,
      reach: 0,
    })
    const row: BucketRow = new Map()
    const name = AUTHOR_INFLUENCE_VIEW.name
    // Six entries: at twice the capacity, nothing is cut yet.
    for (const [author, n] of [
      ['a', 5],
      ['b', 1],
      ['c', 7],
      ['d', 2],
      ['e', 7],
      ['f', 3],
    ] as const)
      small.add(row, name, '', [author, credit(n)])
    const kept = (r: BucketRow): string[] =>
      [...(r.get(name)?.get('') as Map<string, AuthorInfluence>).keys()].sort()
    expect(kept(small.copy(row))).toEqual(['a', 'b', 'c', 'd', 'e', 'f'])
    const more: BucketRow = new Map()
    small.add(more, name, '', ['g', credit(4)])
    small.add(more, name, '', ['b', credit(5)])
    // b now ranks 6: c (7), e (7), b (6) lead.
    expect(kept(small.merge(small.copy(row), more))).toEqual(['b', 'c', 'e'])
  })

  it('refuses an entry that names no view, saying which', () => {
    const bytes = encodeEntries([['nope\u0000key', new Uint8Array([1])]])
    expect(() => rows.decode(bytes)).toThrow(BucketRowFormatError)
    expect(() => rows.decode(bytes)).toThrow(/"nope"/)
  })
})
