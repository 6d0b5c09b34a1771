import { describe, expect, it } from 'vitest'
import {
  arrowToInteractions,
  partInfo,
  readParquetPart,
  type Interaction,
} from '../schemas/index.js'
import { interactionsOf } from '../test/support/normalized-corpus.js'
import { writeParquetPart } from './parquet-part-writer.js'

const tweets: readonly Interaction[] = interactionsOf('twitter-v1-sample.jsonl.gz').slice(0, 5000)
const createdAt = (i: Interaction): number => i.interaction?.created_at ?? 0

describe('Parquet parts of the master dataset', () => {
  const bytes = writeParquetPart(tweets, {
    rowGroupRows: 1000,
    metadata: { 'sluice.inputs': 'raw/source=twitter-v1/date=2020-01-30/c1-0.ndjson.gz' },
  })
  const info = partInfo(bytes)

  it('sorts rows by created_at into row groups whose statistics bound them, disjointly', () => {
    expect(info.rows).toBe(5000)
    expect(info.rowGroups.map((g) => g.rows)).toEqual([1000, 1000, 1000, 1000, 1000])
    const sorted = tweets.map(createdAt).sort((a, b) => a - b)
    info.rowGroups.forEach((g, i) => {
      expect(g.createdAtMin).toBe(sorted[i * 1000])
      expect(g.createdAtMax).toBe(sorted[i * 1000 + 999])
    })
    for (let i = 1; i < info.rowGroups.length; i++)
      expect(info.rowGroups[i]?.createdAtMin).toBeGreaterThanOrEqual(
        info.rowGroups[i - 1]?.createdAtMax ?? Infinity,
      )
    expect(info.metadata).toEqual({
      'sluice.inputs': 'raw/source=twitter-v1/date=2020-01-30/c1-0.ndjson.gz',
    })
  })

  it('reads back every interaction', async () => {
    const back = arrowToInteractions(await readParquetPart(bytes))
    const key = (i: Interaction): string => i.interaction?.id ?? ''
    expect(back.map(key).sort()).toEqual(tweets.map(key).sort())
    const byId = new Map(back.map((i) => [key(i), i]))
    for (const t of tweets.slice(0, 200))
      expect(byId.get(key(t))?.interaction?.content).toBe(t.interaction?.content)
  })

  it('reads only the asked columns of the asked row groups', async () => {
    const table = await readParquetPart(bytes, {
      columns: ['interaction.id', 'interaction.created_at'],
      rowGroups: [2],
    })
    expect(table.schema.fields.map((f) => f.name)).toEqual([
      'interaction.id',
      'interaction.created_at',
    ])
    expect(table.numRows).toBe(1000)
    const group = info.rowGroups[2]
    for (const i of arrowToInteractions(table)) {
      expect(createdAt(i)).toBeGreaterThanOrEqual(group?.createdAtMin ?? Infinity)
      expect(createdAt(i)).toBeLessThanOrEqual(group?.createdAtMax ?? -Infinity)
    }
  })
})
