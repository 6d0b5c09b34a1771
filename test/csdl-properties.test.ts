import fc from 'fast-check'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { generateFilters, seededRandom, vocabularyFrom } from '../bench/csdl-workload.js'
import {
  compile,
  FilterSet,
  matchDefinition,
  parse,
  StreamRegistry,
  type CompiledDefinition,
} from '../query-dsl/index.js'
import { CSDL_OPERATORS, type Interaction } from '../schemas/index.js'
import { interactionsOf } from './support/normalized-corpus.js'
import { REPO_ROOT } from './support/shared-data.js'

/*
 * Properties of the CSDL engine on inputs nobody wrote by hand: no input string crashes the
 * parser, the checker or the evaluator, and the shared plan always agrees with evaluating each
 * filter alone.
 */

const FRAGMENTS = [
  'interaction.content',
  'twitter.user.followers_count',
  'interaction.geo',
  'language.tag',
  'links.url',
  'interaction.hashtags',
  'twitter.user.id',
  'tumblr.body',
  'nope.nothing',
  ...CSDL_OPERATORS,
  'near',
  'and',
  'or',
  'not',
  'AND',
  'OR',
  'NOT',
  'cs',
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  ',',
  'tag',
  'tag.a.b',
  'tags',
  'return',
  'stream',
  'rule',
  '"x"',
  '"a, b"',
  '"1,2:3"',
  '"51,0:50,1"',
  '"(?i)x+"',
  '"\\\\d"',
  '"\\d"',
  '"',
  "'",
  '5',
  '-3',
  '2.5',
  '[1, 2]',
  '[case(true)]',
  '[keep(classic)]',
  '[language(ja)]',
  '//',
  '/*',
  '*/',
  '\n',
  '"0123456789abcdef0123456789abcdef"',
]

function goldenSources(): string[] {
  const dir = join(REPO_ROOT, 'test', 'golden', 'query-dsl')
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split(/^# /m).slice(1))
    .map((block) =>
      block
        .split('\n')
        .slice(1)
        .filter((l) => !/^(@|==>|!!|!@|<<|=>)/.test(l))
        .join('\n'),
    )
}

function checkNeverThrows(source: string, samples: readonly unknown[]): void {
  const parsed = parse(source)
  for (const d of parsed.diagnostics) {
    expect(d.start).toBeGreaterThanOrEqual(0)
    expect(d.end).toBeLessThanOrEqual(source.length)
  }
  const r = compile(source)
  if (!r.ok) {
    expect(r.diagnostics.length).toBeGreaterThan(0)
    for (const d of r.diagnostics) {
      expect(d.line).toBeGreaterThanOrEqual(1)
      expect(d.column).toBeGreaterThanOrEqual(1)
      expect(d.message.length).toBeGreaterThan(5)
    }
    return
  }
  const set = new FilterSet()
  set.add(r.definition)
  for (const s of samples) {
    const alone = matchDefinition(r.definition, s)
    const shared = set.match(s)[0]
    expect(shared).toEqual(alone)
  }
}

const SAMPLES: unknown[] = [
  {},
  {
    interaction: { content: 'x a, b', geo: { latitude: 50.5, longitude: 0.5 }, hashtags: ['x'] },
    language: { tag: 'x' },
  },
  {
    interaction: { content: 42, geo: 'nowhere', hashtags: 'x' },
    twitter: { user: { id: 'abc', followers_count: '7' } },
  },
  { interaction: null, links: { url: [null, 5, 'http://x'] }, tumblr: { body: ['x', { a: 1 }] } },
]

describe('the CSDL engine never crashes', () => {
  it('on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) =>
        checkNeverThrows(s, SAMPLES),
      ),
      { numRuns: 1500 },
    )
  })

  it('on token soups', () => {
    const soup = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 25 }).map((t) => t.join(' '))
    fc.assert(
      fc.property(soup, (s) => checkNeverThrows(s, SAMPLES)),
      { numRuns: 3000 },
    )
  })

  it('on mutated real filters (the golden cases)', () => {
    const sources = goldenSources()
    const mutation = fc.tuple(
      fc.constantFrom(...sources),
      fc.nat(),
      fc.nat(),
      fc.constantFrom('delete', 'insert', 'duplicate', 'swap'),
      fc.constantFrom(...FRAGMENTS),
    )
    fc.assert(
      fc.property(mutation, ([src, a, b, kind, fragment]) => {
        const i = src.length === 0 ? 0 : a % src.length
        const j = src.length === 0 ? 0 : b % src.length
        const [lo, hi] = i < j ? [i, j] : [j, i]
        const mutated =
          kind === 'delete'
            ? src.slice(0, lo) + src.slice(hi)
            : kind === 'insert'
              ? `${src.slice(0, lo)} ${fragment} ${src.slice(lo)}`
              : kind === 'duplicate'
                ? src.slice(0, hi) + src.slice(lo, hi) + src.slice(hi)
                : src.slice(hi) + src.slice(lo, hi) + src.slice(0, lo)
        checkNeverThrows(mutated, SAMPLES)
      }),
      { numRuns: 2000 },
    )
  })

  it('on deep nesting and huge inputs, with clear limits', () => {
    const deep = `${'('.repeat(100_000)}interaction.content exists${')'.repeat(100_000)}`
    expect(compile(deep).ok).toBe(false)
    const nots = `${'not '.repeat(50_000)}interaction.content exists`
    expect(compile(nots).ok).toBe(false)
    const wide = Array.from(
      { length: 1500 },
      (_, k) => `interaction.content contains "w${k}"`,
    ).join(' or ')
    const r = compile(wide)
    expect(r.ok === false && r.diagnostics[0]?.code).toBe('too_many_conditions')
    const big = `interaction.content contains "${'x'.repeat(1_100_000)}"`
    const b = compile(big)
    expect(b.ok === false && b.diagnostics[0]?.code).toBe('too_long')
  })
})

describe('the shared plan agrees with each filter evaluated alone', () => {
  const corpus: Interaction[] = [
    ...interactionsOf('twitter-v1-sample.jsonl.gz'),
    ...interactionsOf('twitter-v2-sample.jsonl.gz'),
    ...interactionsOf('reddit-api-comments-sample.jsonl.gz'),
    ...interactionsOf('facebook-graph-comments-sample.jsonl.gz'),
    ...interactionsOf('foursquare-checkins-sample.jsonl.gz'),
  ]
  const vocab = vocabularyFrom(corpus)
  const pick = seededRandom(7)
  const sample = Array.from(
    { length: 3000 },
    () => corpus[Math.floor(pick() * corpus.length)],
  ).filter((i): i is Interaction => i !== undefined)
  // Geo-tagged and retweeted interactions are rare; make sure the sample has them.
  sample.push(
    ...corpus.filter((i) => i.interaction?.geo !== undefined).slice(0, 300),
    ...corpus.filter((i) => i.twitter?.retweet !== undefined).slice(0, 100),
  )

  it('on 600 generated filters of the benchmark mix over 3,400 real interactions', () => {
    const registry = new StreamRegistry()
    const defs: CompiledDefinition[] = []
    for (const source of generateFilters(vocab, 600, 42, (s) => {
      const r = registry.register(s)
      if (!r.ok) throw new Error(`generated filter does not compile: ${s}`)
      return r.definition.hash
    })) {
      const r = registry.register(source)
      if (!r.ok)
        throw new Error(
          `generated filter does not compile: ${source}\n${r.diagnostics.map((d) => d.message).join('\n')}`,
        )
      defs.push(r.definition)
    }
    const set = new FilterSet()
    for (const d of defs) set.add(d)
    expect(set.size).toBeGreaterThan(500)
    let matches = 0
    for (const i of sample) {
      const shared = set
        .match(i)
        .map((m) => m.hash)
        .sort()
      const alone = defs.filter((d) => matchDefinition(d, i) !== undefined).map((d) => d.hash)
      expect(shared).toEqual([...new Set(alone)].sort())
      matches += shared.length
    }
    expect(matches).toBeGreaterThan(100)
  })

  const geoPoints = corpus
    .flatMap((i) => (i.interaction?.geo === undefined ? [] : [i.interaction.geo]))
    .slice(0, 200)

  it('on random small filters over every operator, and while filters come and go', () => {
    const condition = fc.oneof(
      fc
        .constantFrom(...vocab.words.slice(0, 300))
        .map((w) => `interaction.content contains "${w}"`),
      fc
        .array(fc.constantFrom(...vocab.words.slice(0, 300)), { minLength: 1, maxLength: 4 })
        .map((ws) => `interaction.content contains_any "${ws.join(', ')}"`),
      fc
        .array(fc.constantFrom(...vocab.words.slice(0, 300)), { minLength: 1, maxLength: 2 })
        .map((ws) => `interaction.content contains_all "${ws.join(', ')}"`),
      fc
        .tuple(
          fc.constantFrom(...vocab.words.slice(0, 100)),
          fc.constantFrom(...vocab.words.slice(0, 100)),
          fc.integer({ min: 2, max: 6 }),
        )
        .map(([a, b, n]) => `interaction.content near "${a},${b}:${n}"`),
      fc
        .constantFrom(...vocab.words.slice(0, 300))
        .map((w) => `interaction.content wildcard "${w.slice(0, 3)}*"`),
      fc
        .constantFrom(...vocab.words.slice(0, 300))
        .map((w) => `interaction.raw_content substr "${w.slice(0, 4)}"`),
      fc
        .constantFrom(...vocab.words.slice(0, 300))
        .map((w) => `interaction.content regex_partial "(?i)\\\\b${w}"`),
      fc.constantFrom(...vocab.languages).map((l) => `language.tag == "${l}"`),
      fc.constantFrom(...vocab.languages).map((l) => `language.tag != "${l}"`),
      fc.integer({ min: 0, max: 100000 }).map((n) => `twitter.user.followers_count > ${n}`),
      fc.integer({ min: 0, max: 100 }).map((n) => `interaction.sample < ${n}`),
      fc
        .constantFrom(...vocab.hashtags.slice(0, 200))
        .map((h) => `interaction.hashtags in "${h}, zzz"`),
      fc
        .constantFrom(...vocab.screenNames.slice(0, 500))
        .map((n) => `interaction.author.username cs == "${n}"`),
      fc
        .constantFrom(
          'interaction.geo',
          'links.url',
          'twitter.retweet.text',
          'reddit.subreddit',
          'demographic.gender',
        )
        .map((t) => `${t} exists`),
      fc
        .constantFrom(...vocab.domains.slice(0, 100))
        .map((dm) => `links.url url_in "https://${dm}/"`),
      fc
        .constantFrom('"50,-10:40,10"', '"60,-130:20,-60"', '"70,170:-70,-170"')
        .map((b) => `interaction.geo geo_box ${b}`),
      fc
        .tuple(fc.constantFrom(...geoPoints), fc.constantFrom(1, 30, 400, 3000))
        .map(([p, km]) => `interaction.geo geo_radius "${p.latitude},${p.longitude}:${km}"`),
      fc
        // Points far enough from the poles and the antimeridian that every vertex is valid.
        .tuple(
          fc.constantFrom(
            ...geoPoints.filter((p) => Math.abs(p.longitude) < 170 && Math.abs(p.latitude) < 80),
          ),
          fc.constantFrom(0.05, 1, 8),
        )
        .map(
          ([p, d]) =>
            `interaction.geo geo_polygon "${p.latitude + d},${p.longitude}:${p.latitude - d},${p.longitude - d}:${p.latitude},${p.longitude + d}"`,
        ),
      fc.constantFrom(1, 5, 20).map((n) => `twitter.user.id in [${n}, 14499829, 783214]`),
    )
    const expr: fc.Arbitrary<string> = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        condition,
        tie('and'),
        tie('or'),
        tie('not'),
      ) as fc.Arbitrary<string>,
      and: fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(${String(a)} and ${String(b)})`),
      or: fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(${String(a)} or ${String(b)})`),
      not: tie('node').map((a) => `not ${String(a)}`),
    })).node
    const interactions = [...sample.slice(0, 400), ...sample.slice(-400, -300)]
    fc.assert(
      fc.property(
        fc.array(expr, { minLength: 1, maxLength: 40 }),
        fc.nat(),
        (sources, removeSeed) => {
          const defs = new Map<string, CompiledDefinition>()
          for (const s of sources) {
            const r = compile(s)
            if (!r.ok) throw new Error(`${s}: ${r.diagnostics.map((d) => d.message).join('; ')}`)
            defs.set(r.definition.hash, r.definition)
          }
          const set = new FilterSet()
          for (const d of defs.values()) set.add(d)
          // Remove some filters again: the plan must forget them cleanly.
          const removed = [...defs.keys()].filter((_, k) => (k + removeSeed) % 3 === 0)
          for (const h of removed) set.remove(h)
          const live = [...defs.values()].filter((d) => !removed.includes(d.hash))
          for (const i of interactions) {
            const shared = set
              .match(i)
              .map((m) => m.hash)
              .sort()
            const alone = live
              .filter((d) => matchDefinition(d, i) !== undefined)
              .map((d) => d.hash)
              .sort()
            expect(shared).toEqual(alone)
          }
          for (const d of live) set.remove(d.hash)
          expect([set.size, set.predicateCount, set.indexEntryCount]).toEqual([0, 0, 0])
        },
      ),
      { numRuns: 60 },
    )
  })
})
