import { describe, expect, it } from 'vitest'
import { aggregateInteractions, parseAggregateKey, ViewAggregates } from '../batch/index.js'
import {
  definitionTargets,
  FilterSet,
  matchDefinition,
  StreamRegistry,
  type CompiledDefinition,
} from '../query-dsl/index.js'
import {
  bucketStart,
  BATCH_GRANULARITIES,
  type HyperLogLog,
  VIEWS,
  type Interaction,
} from '../schemas/index.js'
import { interactionsOf } from './support/normalized-corpus.js'

const interactions: readonly Interaction[] = [
  ...interactionsOf('twitter-v1-sample.jsonl.gz').slice(0, 6000),
  ...interactionsOf('reddit-api-comments-sample.jsonl.gz').slice(0, 800),
]

const registry = new StreamRegistry()
const SOURCES = [
  'interaction.id exists',
  'language.tag == "en"',
  'interaction.content contains_any "the, and" and not interaction.type == "reddit"',
  'interaction.hashtags exists or links.domain exists',
]
const definitions: CompiledDefinition[] = SOURCES.map((s) => {
  const r = registry.register(s)
  if (!r.ok) throw new Error(s)
  return r.definition
})
const set = new FilterSet()
for (const d of definitions) set.add(d)

describe('folding interactions into the views of every matching stream', () => {
  const all = aggregateInteractions(interactions, set, VIEWS)

  it('counts each stream exactly, per bucket of every granularity', () => {
    for (const def of definitions) {
      const matched = interactions.filter((i) => matchDefinition(def, i) !== undefined)
      expect(matched.length).toBeGreaterThan(0)
      for (const granularity of BATCH_GRANULARITIES) {
        const brute = new Map<number, number>()
        for (const i of matched) {
          const b = bucketStart(i.interaction?.created_at ?? 0, granularity)
          brute.set(b, (brute.get(b) ?? 0) + 1)
        }
        for (const [bucket, n] of brute)
          expect(all.get({ view: 'volume', stream: def.hash, granularity, bucket, key: '' })).toBe(
            n,
          )
        const buckets = [...all.values.keys()]
          .map(parseAggregateKey)
          .filter(
            (k) => k.view === 'volume' && k.stream === def.hash && k.granularity === granularity,
          )
        expect(buckets.length).toBe(brute.size)
      }
    }
  })

  it('estimates each stream’s unique authors per month within 5%', () => {
    let checked = 0
    for (const def of definitions) {
      const byMonth = new Map<number, Set<string>>()
      for (const i of interactions) {
        if (matchDefinition(def, i) === undefined) continue
        const author = i.interaction?.author?.username
        if (author === undefined) continue
        const b = bucketStart(i.interaction?.created_at ?? 0, 'month')
        const s = byMonth.get(b) ?? new Set()
        s.add(author)
        byMonth.set(b, s)
      }
      for (const [bucket, authors] of byMonth) {
        if (authors.size < 200) continue
        const sketch = all.get({
          view: 'unique_authors',
          stream: def.hash,
          granularity: 'month',
          bucket,
          key: '',
        }) as HyperLogLog
        expect(Math.abs(sketch.estimate() - authors.size) / authors.size).toBeLessThan(0.05)
        checked++
      }
    }
    expect(checked).toBeGreaterThan(2)
  })

  it('gives the same aggregates when partitions are folded apart and merged', () => {
    const left = aggregateInteractions(interactions.slice(0, 2500), set, VIEWS)
    const right = aggregateInteractions(interactions.slice(2500), set, VIEWS)
    const merged = new ViewAggregates(VIEWS)
    merged.mergeFrom(left)
    merged.mergeFrom(right)
    expect(merged.values.size).toBe(all.values.size)
    const encode = (a: ViewAggregates, key: string): string => {
      const view = VIEWS.find((v) => v.name === parseAggregateKey(key).view)
      const value = a.values.get(key)
      if (view === undefined || value === undefined) return '?'
      if (view.name === 'top') return '' // exact only under capacity; bounds are tested in views.test.ts
      return Buffer.from(view.monoid.encode(value)).toString('base64')
    }
    for (const key of all.values.keys()) expect(encode(merged, key), key).toBe(encode(all, key))
  })

  it('names the columns each stream reads', () => {
    expect(definitionTargets(definitions[1] as CompiledDefinition)).toEqual(['language.tag'])
    expect(definitionTargets(definitions[2] as CompiledDefinition)).toEqual([
      'interaction.content',
      'interaction.type',
    ])
  })
})
