import {
  Bool,
  DataType,
  Float64,
  Int32,
  Int64,
  List,
  type Struct,
  tableFromIPC,
  tableToIPC,
  TimestampMillisecond,
  Utf8,
  vectorFromArray,
  Table,
} from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { interactionsOf } from '../../test/support/normalized-corpus.js'
import type { Interaction } from '../interaction.js'
import { TARGETS } from '../targets/all-targets.js'
import { INTERACTION_ARROW_SCHEMA } from './arrow-schema.js'

function field(name: string) {
  const f = INTERACTION_ARROW_SCHEMA.fields.find((x) => x.name === name)
  if (f === undefined) throw new Error(`no field ${name}`)
  return f
}

function valueAt(i: Interaction, path: string): unknown {
  let v: unknown = i
  for (const seg of path.split('.'))
    v = v === undefined || v === null ? undefined : (v as Record<string, unknown>)[seg]
  return v ?? null
}

describe('the Arrow schema derived from the targets', () => {
  it('has one nullable column per target, named by its path, in schema order', () => {
    expect(INTERACTION_ARROW_SCHEMA.fields.map((f) => f.name)).toEqual(TARGETS.map((t) => t.path))
    for (const f of INTERACTION_ARROW_SCHEMA.fields) expect(f.nullable).toBe(true)
  })

  it('maps each target type to its Arrow type', () => {
    expect(DataType.isUtf8(field('interaction.content').type)).toBe(true)
    expect(field('twitter.user.followers_count').type).toBeInstanceOf(Int32)
    expect(field('twitter.user.id').type).toBeInstanceOf(Int64)
    expect(field('interaction.sample').type).toBeInstanceOf(Float64)
    expect(field('reddit.over_18').type).toBeInstanceOf(Bool)
    expect(field('interaction.created_at').type).toBeInstanceOf(TimestampMillisecond)
    const geo = field('interaction.geo').type as Struct
    expect(geo.children.map((c) => c.name)).toEqual(['latitude', 'longitude'])
    const ids = field('twitter.mention_ids').type as List
    expect(ids).toBeInstanceOf(List)
    expect(ids.valueType).toBeInstanceOf(Int64)
    expect((field('links.url').type as List).valueType).toBeInstanceOf(Utf8)
  })

  it('carries the schema facts in field metadata', () => {
    expect(field('links.url').metadata.get('sluice.url')).toBe('true')
    expect(field('interaction.content').metadata.get('sluice.text')).toBe('stripped')
    expect(field('reddit.score').metadata.get('sluice.sources')).toBe('reddit')
  })

  it('holds real interactions of every source and survives an IPC round trip', () => {
    const rows = [
      ...interactionsOf('twitter-v1-sample.jsonl.gz').slice(0, 1500),
      ...interactionsOf('twitter-v2-sample.jsonl.gz').slice(0, 300),
      ...interactionsOf('reddit-api-submissions-sample.jsonl.gz').slice(0, 300),
      ...interactionsOf('facebook-graph-posts-sample.jsonl.gz'),
      ...interactionsOf('foursquare-checkins-sample.jsonl.gz'),
    ]
    const columns = Object.fromEntries(
      INTERACTION_ARROW_SCHEMA.fields.map((f) => [
        f.name,
        vectorFromArray(
          rows.map((r) => valueAt(r, f.name)),
          f.type,
        ),
      ]),
    )
    const table = tableFromIPC(tableToIPC(new Table(columns)))
    expect(table.numRows).toBe(rows.length)
    rows.forEach((r, n) => {
      expect(table.getChild('twitter.id')?.get(n)).toBe(valueAt(r, 'twitter.id'))
      expect(table.getChild('twitter.user.id')?.get(n)).toBe(valueAt(r, 'twitter.user.id'))
      expect(table.getChild('interaction.created_at')?.get(n)).toBe(
        valueAt(r, 'interaction.created_at'),
      )
      const ids = table.getChild('twitter.mention_ids')?.get(n) as {
        toArray(): BigInt64Array
      } | null
      expect(ids === null ? null : [...ids.toArray()]).toEqual(valueAt(r, 'twitter.mention_ids'))
      const geo = table.getChild('interaction.geo')?.get(n) as { toJSON(): unknown } | null
      expect(geo === null ? null : geo.toJSON()).toEqual(valueAt(r, 'interaction.geo'))
    })
  })
})
