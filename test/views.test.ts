import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  AUTHOR_INFLUENCE_VIEW,
  bucketStart,
  coveringBuckets,
  dimensionKey,
  GRANULARITIES,
  HyperLogLog,
  nextBucket,
  topEntries,
  topValues,
  topView,
  VIEWS,
  VOLUME_BY,
  type AuthorInfluence,
  type Interaction,
  type TopSummary,
  type View,
} from '../schemas/index.js'
import { interactionsOf } from './support/normalized-corpus.js'

const tweets: readonly Interaction[] = interactionsOf('twitter-v1-sample.jsonl.gz').slice(0, 3000)
const reddit: readonly Interaction[] = interactionsOf('reddit-api-comments-sample.jsonl.gz').slice(
  0,
  500,
)
const corpus = [...tweets, ...reddit]

/** Per key, the view's value folded over `interactions`. */
function fold(view: View, interactions: readonly Interaction[]): Map<string, unknown> {
  const out = new Map<string, unknown>()
  for (const i of interactions)
    view.extract(i, (key, item) => {
      out.set(key, view.monoid.add(out.get(key) ?? view.monoid.empty(), item))
    })
  return out
}

function mergeMaps(
  view: View,
  a: Map<string, unknown>,
  b: Map<string, unknown>,
): Map<string, unknown> {
  const copy = (v: unknown): unknown => view.monoid.decode(view.monoid.encode(v))
  const out = new Map<string, unknown>()
  for (const [k, v] of a) out.set(k, copy(v))
  for (const [k, v] of b) {
    const mine = out.get(k)
    out.set(k, mine === undefined ? copy(v) : view.monoid.merge(mine, copy(v)))
  }
  return out
}

/** A comparable form of a view's values: top summaries by their entries, the rest by bytes. */
function canonical(view: View, values: Map<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of [...values].sort(([a], [b]) => (a < b ? -1 : 1)))
    out[k] =
      view.name === 'top'
        ? topEntries(v as TopSummary, Infinity)
        : Buffer.from(view.monoid.encode(v)).toString('base64')
  return out
}

describe('time buckets', () => {
  it('starts buckets where calendars do, in UTC, weeks on Monday', () => {
    const t = Date.parse('2026-11-22T13:45:12.345Z') // a Sunday
    expect(new Date(bucketStart(t, 'minute')).toISOString()).toBe('2026-11-22T13:45:00.000Z')
    expect(new Date(bucketStart(t, 'hour')).toISOString()).toBe('2026-11-22T13:00:00.000Z')
    expect(new Date(bucketStart(t, 'day')).toISOString()).toBe('2026-11-22T00:00:00.000Z')
    expect(new Date(bucketStart(t, 'week')).toISOString()).toBe('2026-11-16T00:00:00.000Z')
    expect(new Date(bucketStart(t, 'month')).toISOString()).toBe('2026-11-01T00:00:00.000Z')
    expect(new Date(nextBucket(bucketStart(t, 'month'), 'month')).toISOString()).toBe(
      '2026-12-01T00:00:00.000Z',
    )
  })

  it('puts every time in exactly one bucket of each granularity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -2e12, max: 4e12 }),
        fc.constantFrom(...GRANULARITIES),
        (ms, g) => {
          const start = bucketStart(ms, g)
          expect(start).toBeLessThanOrEqual(ms)
          expect(nextBucket(start, g)).toBeGreaterThan(ms)
          expect(bucketStart(start, g)).toBe(start)
        },
      ),
    )
  })

  it('covers a range with whole buckets and two uncovered ends, without gaps', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4e12 }),
        fc.integer({ min: 0, max: 5e9 }),
        fc.constantFrom(...GRANULARITIES),
        (from, length, g) => {
          const to = from + length
          const { buckets, head, tail } = coveringBuckets(from, to, g)
          let at = from
          if (head !== undefined) {
            expect(head[0]).toBe(at)
            at = head[1]
          }
          for (const b of buckets) {
            expect(b).toBe(at)
            at = nextBucket(b, g)
          }
          if (tail !== undefined) {
            expect(tail[0]).toBe(at)
            at = tail[1]
          }
          expect(at).toBe(to)
        },
      ),
      { numRuns: 100 },
    )
  })
})

describe('the monoid laws hold for every view, on real interactions', () => {
  // Three slices of the corpus, chosen by the property; values compared canonically.
  const slices = fc
    .tuple(fc.nat(corpus.length), fc.nat(corpus.length), fc.nat(corpus.length))
    .map(([x, y, z]) => [x, y, z].sort((p, q) => p - q))
    .map(([x, y, z]) => [corpus.slice(0, x), corpus.slice(x, y), corpus.slice(y, z)] as const)

  // Top summaries are exact, and merge associatively, while a key has fewer distinct values than
  // the capacity; past it they are bounded approximations (tested below). The laws are checked
  // on the same code with a capacity above the corpus's distinct values.
  const lawful = VIEWS.map((v) => (v.name === 'top' ? topView(1_000_000) : v))
  for (const view of lawful) {
    it(`${view.name}: associative, with empty() as identity, and partials merge to the whole`, () => {
      fc.assert(
        fc.property(slices, ([a, b, c]) => {
          const [fa, fb, fc3] = [fold(view, a), fold(view, b), fold(view, c)]
          const left = mergeMaps(view, mergeMaps(view, fa, fb), fc3)
          const right = mergeMaps(view, fa, mergeMaps(view, fb, fc3))
          expect(canonical(view, left)).toEqual(canonical(view, right))
          expect(canonical(view, left)).toEqual(canonical(view, fold(view, [...a, ...b, ...c])))
          for (const [k, v] of fa) {
            const withEmpty = view.monoid.merge(
              view.monoid.empty(),
              view.monoid.decode(view.monoid.encode(v)),
            )
            const single = new Map([[k, withEmpty]])
            expect(canonical(view, single)).toEqual(canonical(view, new Map([[k, v]])))
          }
        }),
        { numRuns: 12 },
      )
    })
  }
})

describe('view answers equal a brute-force count over the same interactions', () => {
  it('volume by language and by type', () => {
    const got = fold(VOLUME_BY, corpus)
    const languages = new Map<string, number>()
    const types = new Map<string, number>()
    for (const i of corpus) {
      const tag = i.language?.tag
      if (tag !== undefined) languages.set(tag, (languages.get(tag) ?? 0) + 1)
      const type = i.interaction?.type ?? '?'
      types.set(type, (types.get(type) ?? 0) + 1)
    }
    for (const [tag, n] of languages) expect(got.get(dimensionKey('language', tag))).toBe(n)
    expect(got.get(dimensionKey('type', 'twitter'))).toBe(types.get('twitter'))
    expect(got.get(dimensionKey('type', 'reddit'))).toBe(types.get('reddit'))
  })

  it('retweets received per author', () => {
    const all = interactionsOf('twitter-v1-sample.jsonl.gz')
    const got = fold(AUTHOR_INFLUENCE_VIEW, all)
    const brute = new Map<string, number>()
    for (const i of all) {
      const who = i.twitter?.retweeted?.user?.screen_name
      if (who !== undefined) brute.set(who, (brute.get(who) ?? 0) + 1)
    }
    expect(brute.size).toBeGreaterThan(10)
    const authors = got.get('') as Map<string, AuthorInfluence>
    for (const [who, n] of brute) expect(authors.get(who)?.retweetsReceived).toBe(n)
    // Every author credited with an interaction is there, with as many interactions as they wrote.
    const written = new Map<string, number>()
    for (const i of all) {
      const who = i.interaction?.author?.username
      if (who !== undefined) written.set(who, (written.get(who) ?? 0) + 1)
    }
    for (const [who, n] of written) expect(authors.get(who)?.interactions).toBe(n)
  })
})

describe('HyperLogLog', () => {
  it('estimates distinct counts within a few percent and small ones nearly exactly', () => {
    for (const n of [10, 100, 1_000, 50_000, 300_000]) {
      const h = new HyperLogLog()
      for (let i = 0; i < n; i++) {
        h.add(`author-${i}`)
        h.add(`author-${i}`)
      }
      const error = Math.abs(h.estimate() - n) / n
      expect(error, `n=${n}`).toBeLessThan(n <= 100 ? 0.03 : 0.05)
    }
  })

  it('round-trips sparse and dense encodings, and merges as the union', () => {
    const a = new HyperLogLog()
    const b = new HyperLogLog()
    for (let i = 0; i < 50; i++) a.add(`x${i}`)
    for (let i = 0; i < 20_000; i++) b.add(`y${i}`)
    expect(a.toBytes().length).toBeLessThan(200)
    expect(b.toBytes().length).toBe(4097)
    expect(HyperLogLog.fromBytes(a.toBytes()).registers).toEqual(a.registers)
    expect(HyperLogLog.fromBytes(b.toBytes()).registers).toEqual(b.registers)
    const union = new HyperLogLog()
    for (let i = 0; i < 50; i++) union.add(`x${i}`)
    for (let i = 0; i < 20_000; i++) union.add(`y${i}`)
    a.mergeFrom(b)
    expect(a.registers).toEqual(union.registers)
    expect(() => HyperLogLog.fromBytes(new Uint8Array([7, 1, 2]))).toThrow(/not a HyperLogLog/)
  })
})

describe('top values beyond their capacity', () => {
  it('never under-counts, bounds the over-count, and keeps the heavy hitters, also when merged', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.integer({ min: 0, max: 60 }).map((n) => `v${Math.floor((n * n) / 60)}`),
          { minLength: 50, maxLength: 600 },
        ),
        fc.array(
          fc.integer({ min: 0, max: 80 }).map((n) => `v${n % 40}`),
          { maxLength: 400 },
        ),
        (left, right) => {
          const monoid = topValues(10)
          const a = left.reduce((s, v) => monoid.add(s, v), monoid.empty())
          const b = right.reduce((s, v) => monoid.add(s, v), monoid.empty())
          const merged = monoid.merge(a, b)
          const all = [...left, ...right]
          const truth = new Map<string, number>()
          for (const v of all) truth.set(v, (truth.get(v) ?? 0) + 1)
          for (const e of topEntries(merged, Infinity)) {
            const t = truth.get(e.value) ?? 0
            expect(e.count).toBeGreaterThanOrEqual(t)
            expect(e.count - e.error).toBeLessThanOrEqual(t)
          }
          const kept = new Set(topEntries(merged, Infinity).map((e) => e.value))
          for (const [v, t] of truth) if (t > all.length / 10) expect(kept.has(v), v).toBe(true)
        },
      ),
      { numRuns: 100 },
    )
  })
})
