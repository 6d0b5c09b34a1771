import { DuckDBInstance } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PassThrough } from 'node:stream'
import { openObjectStore } from '../infra/adapters/open-object-store.js'
import { runMasterFiles } from '../infra/cli/shred-command.js'
import { parseStoreUrl } from '../infra/config/adapter-urls.js'
import { readMasterSnapshot, scanMaster } from '../schemas/index.js'
import type { ObjectStore } from '../schemas/ports/index.js'
import { shred } from '../shredder/index.js'
import { expectedPartitions, publishedIds } from './support/master-contents.js'
import { putRawSegment } from './support/raw-segments.js'
import { dataLines } from './support/shared-data.js'
import { tempDir } from './support/temp-dir.js'

const SEGMENTS = [
  {
    source: 'twitter-v1',
    date: '2026-11-20',
    segment: 0,
    records: dataLines('twitter-v1-sample.jsonl.gz').slice(0, 3000),
  },
  {
    source: 'twitter-v1',
    date: '2026-11-21',
    segment: 0,
    records: dataLines('twitter-v1-sample.jsonl.gz').slice(2500, 4000),
  },
  {
    source: 'twitter-v2',
    date: '2026-11-21',
    segment: 0,
    records: dataLines('twitter-v2-sample.jsonl.gz'),
  },
  {
    source: 'reddit',
    date: '2026-11-21',
    segment: 0,
    records: dataLines('reddit-api-submissions-sample.jsonl.gz').slice(0, 800),
  },
  {
    source: 'facebook',
    date: '2026-11-21',
    segment: 0,
    records: dataLines('facebook-graph-comments-sample.jsonl.gz'),
  },
  {
    source: 'foursquare',
    date: '2026-11-21',
    segment: 0,
    records: dataLines('foursquare-checkins-sample.jsonl.gz'),
  },
] as const

type Row = Record<string, unknown>

describe('the master dataset read by DuckDB with Hive partitioning', () => {
  const dir = tempDir('duckdb')
  const root = `${dir.path}/store`
  let store: ObjectStore
  let duck: Awaited<ReturnType<DuckDBInstance['connect']>>
  const query = async (sql: string): Promise<Row[]> =>
    (await duck.runAndReadAll(sql)).getRowObjectsJS()

  beforeAll(async () => {
    store = openObjectStore(parseStoreUrl('store', `file://${root}`))
    for (const spec of SEGMENTS) await putRawSegment(store, spec)
    // Small chunks and parts, then compaction and a vacuum without retention: the folder then
    // holds exactly the published parts, as a glob sees it.
    await shred({ store, chunkBytes: 300_000, partRows: 2_000, rowGroupRows: 500, retainMs: 0 })
    duck = await (await DuckDBInstance.create(':memory:')).connect()
  }, 120_000)
  afterAll(() => {
    duck.closeSync()
    dir.remove()
  })

  const glob = (): string =>
    `read_parquet('${root}/master/type=*/date=*/*.parquet', hive_partitioning = true, hive_types_autocast = false)`

  it('counts the same rows and distinct ids per type and day as Sluice', async () => {
    const ours = await publishedIds(store)
    const theirs = await query(
      `SELECT type, date, count(*)::INTEGER AS n, count(DISTINCT "interaction.id")::INTEGER AS u FROM ${glob()} GROUP BY ALL ORDER BY ALL`,
    )
    const want = [...ours.entries()]
      .map(([name, ids]) => {
        const [type, date] = name.split('/')
        return { type, date, n: ids.length, u: new Set(ids).size }
      })
      .sort((a, b) => (`${a.type}/${a.date}` < `${b.type}/${b.date}` ? -1 : 1))
    expect(theirs).toEqual(want)
    // …and what Sluice published is what the raw input held, once.
    const expected = expectedPartitions(SEGMENTS)
    expect(new Map([...ours].map(([k, v]) => [k, new Set(v)]))).toEqual(expected)
    expect(want.every((r) => r.n === r.u)).toBe(true)
    expect(new Set(want.map((r) => r.type))).toEqual(
      new Set(['twitter', 'reddit', 'facebook', 'foursquare']),
    )
  })

  it('returns the same distinct ids', async () => {
    const theirs = (
      await query(`SELECT DISTINCT "interaction.id" AS id FROM ${glob()} ORDER BY 1`)
    ).map((r) => r['id'])
    const ours = [...new Set([...(await publishedIds(store)).values()].flat())].sort()
    expect(theirs).toEqual(ours)
  })

  it('reads typed columns: timestamps, lists and the geo struct', async () => {
    const [row] = await query(
      `SELECT min("interaction.created_at") AS lo, max("interaction.created_at") AS hi,
              sum(len("interaction.hashtags"))::INTEGER AS tags,
              count("interaction.geo".latitude)::INTEGER AS geo
       FROM ${glob()}`,
    )
    const snapshot = await readMasterSnapshot(store)
    const parts = [...snapshot.parts.values()]
    expect((row?.['lo'] as Date).getTime()).toBe(Math.min(...parts.map((p) => p.createdAtMin)))
    expect((row?.['hi'] as Date).getTime()).toBe(Math.max(...parts.map((p) => p.createdAtMax)))
    let tags = 0
    let geo = 0
    for await (const batch of scanMaster(store, {
      columns: ['interaction.hashtags', 'interaction.geo'],
    })) {
      const h = batch.getChild('interaction.hashtags')
      const g = batch.getChild('interaction.geo')
      for (let r = 0; r < batch.numRows; r++) {
        tags += (h?.get(r) as { length: number } | null)?.length ?? 0
        if (g?.get(r) !== null) geo++
      }
    }
    expect(row?.['tags']).toBe(tags)
    expect(tags).toBeGreaterThan(0)
    expect(row?.['geo']).toBe(geo)
  })

  it('reads the exact published list that `sluice master files` prints', async () => {
    const out = new PassThrough()
    const chunks: Buffer[] = []
    out.on('data', (c: Buffer) => chunks.push(c))
    const n = await runMasterFiles({ store: parseStoreUrl('store', `file://${root}`), stdout: out })
    const files = Buffer.concat(chunks).toString('utf8').trim().split('\n')
    expect(files).toHaveLength(n)
    const list = files.map((f) => `'${f}'`).join(', ')
    const [row] = await query(
      `SELECT count(*)::INTEGER AS n FROM read_parquet([${list}], hive_partitioning = true)`,
    )
    const ours = [...(await publishedIds(store)).values()].reduce((k, ids) => k + ids.length, 0)
    expect(row?.['n']).toBe(ours)
  })
})
