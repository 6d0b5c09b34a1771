import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { aggregateInteractions, recomputeViews, type ViewAggregates } from '../batch/index.js'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { FilterSet, StreamRegistry, type CompiledDefinition } from '../query-dsl/index.js'
import {
  augment,
  normalizeLine,
  readMasterSnapshot,
  topEntries,
  topView,
  VIEWS,
  type Interaction,
  type TopSummary,
} from '../schemas/index.js'
import { shred } from '../shredder/index.js'
import { putRawSegment } from './support/raw-segments.js'
import { dataLines } from './support/shared-data.js'
import { tempDir } from './support/temp-dir.js'

// Top summaries compared exactly need a capacity above the distinct values (see views.test.ts).
const views = VIEWS.map((v) => (v.name === 'top' ? topView(1_000_000) : v))
const tweets = dataLines('twitter-v1-sample.jsonl.gz')
const reddit = dataLines('reddit-api-comments-sample.jsonl.gz').slice(0, 300)

function compileAll(sources: readonly string[]): CompiledDefinition[] {
  const registry = new StreamRegistry()
  return sources.map((s) => {
    const r = registry.register(s)
    if (!r.ok) throw new Error(s)
    return r.definition
  })
}

/** The views computed straight from the raw records (normalized, deduplicated by id). */
function oracle(
  records: readonly { source: string; lines: readonly string[] }[],
  streams: readonly CompiledDefinition[],
) {
  const seen = new Set<string>()
  const interactions: Interaction[] = []
  for (const { source, lines } of records)
    for (const line of lines) {
      const o = normalizeLine(line, source as 'twitter-v1')
      if (o.kind !== 'interactions') continue
      for (const i of o.interactions) {
        const id = i.interaction?.id ?? ''
        if (seen.has(id)) continue
        seen.add(id)
        interactions.push(augment(i))
      }
    }
  const set = new FilterSet()
  for (const s of streams) set.add(s)
  return aggregateInteractions(interactions, set, views)
}

function canonical(a: ViewAggregates): Map<string, string> {
  const byName = new Map(views.map((v) => [v.name, v]))
  const out = new Map<string, string>()
  for (const [key, value] of a.values) {
    const view = byName.get(key.split('\u0001')[0] ?? '')
    if (view === undefined) throw new Error(key)
    out.set(
      key,
      view.name === 'top'
        ? JSON.stringify(topEntries(value as TopSummary, Infinity))
        : Buffer.from(view.monoid.encode(value)).toString('base64'),
    )
  }
  return out
}

describe('batch recomputation from the master dataset, incremental by partition and stream', () => {
  const dir = tempDir('batch-run')
  const store = new LocalDirObjectStore(dir.path)
  const streams = compileAll([
    'interaction.id exists',
    'language.tag == "en" or interaction.type == "reddit"',
  ])
  const records = [
    { source: 'twitter-v1', lines: tweets.slice(0, 1200) },
    { source: 'reddit', lines: reddit },
  ]

  beforeAll(async () => {
    await putRawSegment(store, {
      source: 'twitter-v1',
      date: '2026-11-20',
      segment: 0,
      records: tweets.slice(0, 1200),
    })
    await putRawSegment(store, {
      source: 'reddit',
      date: '2026-11-20',
      segment: 0,
      records: reddit,
    })
    await shred({ store, compact: false })
  }, 60_000)
  afterAll(() => dir.remove())

  it('equals the views computed straight from the raw records', async () => {
    const { aggregates, report } = await recomputeViews(store, streams, views)
    expect(report.partitionsComputed).toBe(report.partitions)
    expect(report.partialsComputed).toBe(report.partitions * streams.length)
    expect(report.partialsReused).toBe(0)
    expect(canonical(aggregates)).toEqual(canonical(oracle(records, streams)))
  })

  it('reuses every partial when nothing changed', async () => {
    const { aggregates, report } = await recomputeViews(store, streams, views)
    expect(report.partitionsComputed).toBe(0)
    expect(report.partialsReused).toBe(report.partitions * streams.length)
    expect(canonical(aggregates)).toEqual(canonical(oracle(records, streams)))
  })

  it('recomputes only the partitions a late record changed', async () => {
    const before = await readMasterSnapshot(store)
    const late = tweets.slice(1200, 1260)
    await putRawSegment(store, {
      source: 'twitter-v1',
      date: '2026-11-22',
      segment: 0,
      records: late,
    })
    await shred({ store, compact: false })
    const after = await readMasterSnapshot(store)
    const changed = new Set(
      [...after.parts.values()]
        .filter((p) => !before.parts.has(p.key))
        .map((p) => `${p.type}/${p.date}`),
    )
    expect(changed.size).toBeGreaterThan(0)
    const { aggregates, report } = await recomputeViews(store, streams, views)
    expect(report.partitionsComputed).toBe(changed.size)
    expect(report.partialsReused).toBe((report.partitions - changed.size) * streams.length)
    records.push({ source: 'twitter-v1', lines: late })
    expect(canonical(aggregates)).toEqual(canonical(oracle(records, streams)))
  })

  it('computes only the new stream when one is registered', async () => {
    const more = compileAll([
      'interaction.id exists',
      'language.tag == "en" or interaction.type == "reddit"',
      'interaction.hashtags exists',
    ])
    const { aggregates, report } = await recomputeViews(store, more, views)
    expect(report.partialsComputed).toBe(report.partitions)
    expect(report.partialsReused).toBe(report.partitions * 2)
    expect(canonical(aggregates)).toEqual(canonical(oracle(records, more)))
  })
})
