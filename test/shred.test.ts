import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openObjectStore } from '../infra/adapters/open-object-store.js'
import { parseStoreUrl } from '../infra/config/adapter-urls.js'
import { startS3Server, type S3Server } from '../infra/launchers/s3-server-launcher.js'
import {
  dayOf,
  emptyScanStats,
  MASTER_REJECTS_PREFIX,
  MasterDataError,
  TARGETS,
  parsePartKey,
  readMasterSnapshot,
  scanMaster,
} from '../schemas/index.js'
import type { ObjectStore } from '../schemas/ports/index.js'
import { shred } from '../shredder/index.js'
import { chosenAdapters } from './support/adapter-choice.js'
import { expectedPartitions, keysUnder, publishedIds } from './support/master-contents.js'
import { putRawSegment } from './support/raw-segments.js'
import { dataLines } from './support/shared-data.js'
import { tempDir } from './support/temp-dir.js'

const ADAPTERS = chosenAdapters('SLUICE_TEST_STORES', ['file', 's3'] as const)

const tweets = dataLines('twitter-v1-sample.jsonl.gz').slice(0, 2400)
const reddit = dataLines('reddit-api-comments-sample.jsonl.gz').slice(0, 600)
const facebook = dataLines('facebook-graph-posts-sample.jsonl.gz')
const foursquare = dataLines('foursquare-checkins-sample.jsonl.gz')

/** Raw segments as the collectors would upload them: overlaps make duplicates across segments. */
const SEGMENTS = [
  { source: 'twitter-v1', date: '2026-11-20', segment: 0, records: tweets.slice(0, 1400) },
  {
    source: 'twitter-v1',
    date: '2026-11-20',
    segment: 1,
    records: [...tweets.slice(1000, 2400), '{"truncated": ', '{"created_at":"never"}'],
    brokenLines: ['this line has no envelope'],
  },
  { source: 'reddit', date: '2026-11-21', segment: 0, records: reddit },
  { source: 'facebook', date: '2026-11-21', segment: 0, records: facebook },
  { source: 'foursquare', date: '2026-11-21', segment: 0, records: foursquare },
] as const

describe.each(ADAPTERS)('sluice shred on a %s store', (adapter) => {
  const dir = tempDir(`shred-${adapter}`)
  let s3: S3Server | undefined
  let store: ObjectStore
  const expected = expectedPartitions(SEGMENTS)

  beforeAll(async () => {
    if (adapter === 's3')
      s3 = await startS3Server({ directory: `${dir.path}/s3`, bucket: 'sluice' })
    const url =
      adapter === 'file' ? `file://${dir.path}/store` : (s3?.url(`${randomUUID()}/`) ?? '')
    store = openObjectStore(parseStoreUrl('store', url))
    for (const spec of SEGMENTS) await putRawSegment(store, spec)
  }, 60_000)
  afterAll(async () => {
    await s3?.process.stop()
    dir.remove()
  })

  it('publishes every distinct interaction once, in the partition of its created_at day', async () => {
    const report = await shred({ store, chunkBytes: 400_000, rowGroupRows: 64, compact: false })
    expect(report.segmentsShredded).toBe(SEGMENTS.length)
    // 400 tweets sit in both Twitter segments (some ids also repeat within the sample).
    expect(report.duplicates).toBeGreaterThanOrEqual(400)
    const back = await publishedIds(store)
    expect([...back.keys()].sort()).toEqual([...expected.keys()].sort())
    for (const [name, ids] of expected) {
      const got = back.get(name) ?? []
      expect(new Set(got).size, `duplicates in ${name}`).toBe(got.length)
      expect(new Set(got), name).toEqual(ids)
    }
    expect(report.rowsWritten).toBe([...expected.values()].reduce((n, s) => n + s.size, 0))
    // Records of several days (tweets span years) land in several partitions, by created_at.
    expect(new Set([...back.keys()].map((k) => k.split('/')[1])).size).toBeGreaterThan(1)
  })

  it('lays parts out as Hive partitions whose rows all belong to them', async () => {
    const snapshot = await readMasterSnapshot(store)
    expect(snapshot.parts.size).toBeGreaterThan(0)
    for (const part of snapshot.parts.values()) {
      const key = parsePartKey(part.key)
      expect(key).toMatchObject({ type: part.type, date: part.date })
      expect(dayOf(part.createdAtMin)).toBe(part.date)
      expect(dayOf(part.createdAtMax)).toBe(part.date)
    }
  })

  it('sets malformed lines aside with their reasons and counts them', async () => {
    const keys = await keysUnder(store, MASTER_REJECTS_PREFIX)
    expect(keys).toEqual([
      `${MASTER_REJECTS_PREFIX}source=twitter-v1/date=2026-11-20/c1-1.ndjson.gz`,
    ])
    const bytes = await store.get(keys[0] ?? '')
    const { gunzipSync } = await import('node:zlib')
    const lines = gunzipSync(bytes ?? new Uint8Array())
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { code: string; record: string })
    expect(lines.map((l) => l.code).sort()).toEqual([
      'invalid_json',
      'not_an_envelope',
      'unrecognized_format',
    ])
  })

  it('adds nothing when run again on the same raw input', async () => {
    const before = await keysUnder(store, 'master/type=')
    const version = (await readMasterSnapshot(store)).version
    const report = await shred({ store, compact: false })
    expect(report.segmentsShredded).toBe(0)
    expect(report.segmentsAlreadyShredded).toBe(SEGMENTS.length)
    expect((await readMasterSnapshot(store)).version).toBe(version)
    expect(await keysUnder(store, 'master/type=')).toEqual(before)
  })

  it('drops records of a new segment that a published part already holds', async () => {
    const late = {
      source: 'twitter-v1',
      date: '2026-11-22',
      segment: 0,
      records: tweets.slice(2000, 2600),
    }
    const all = dataLines('twitter-v1-sample.jsonl.gz').slice(0, 2600)
    await putRawSegment(store, { ...late, records: all.slice(2000, 2600) })
    const report = await shred({ store, compact: false })
    expect(report.segmentsShredded).toBe(1)
    const want = expectedPartitions([
      ...SEGMENTS,
      { source: 'twitter-v1', records: all.slice(2000, 2600) },
    ])
    const back = await publishedIds(store)
    for (const [name, ids] of want) {
      const got = back.get(name) ?? []
      expect(new Set(got).size, `duplicates in ${name}`).toBe(got.length)
      expect(new Set(got), name).toEqual(ids)
    }
  })

  it('reads a time range exactly, skipping row groups by their statistics', async () => {
    const snapshot = await readMasterSnapshot(store)
    const twitter = [...snapshot.parts.values()].filter((p) => p.type === 'twitter')
    const busiest = twitter.sort((a, b) => b.rows - a.rows)[0]
    expect(busiest?.rows).toBeGreaterThan(192)
    const from = (busiest?.createdAtMin ?? 0) + 1
    const to = Math.floor(((busiest?.createdAtMin ?? 0) + (busiest?.createdAtMax ?? 0)) / 2)
    const stats = emptyScanStats()
    let rows = 0
    for await (const batch of scanMaster(
      store,
      { from, to, types: ['twitter'], columns: ['interaction.id'] },
      stats,
    )) {
      expect(batch.schema.fields.map((f) => f.name).sort()).toEqual([
        'interaction.created_at',
        'interaction.id',
      ])
      const times = batch.getChild('interaction.created_at')
      for (let r = 0; r < batch.numRows; r++) {
        const t = Number(times?.get(r))
        expect(t).toBeGreaterThanOrEqual(from)
        expect(t).toBeLessThan(to)
      }
      rows += batch.numRows
    }
    const twitterIds = await publishedIds(store, { types: ['twitter'] })
    let want = 0
    for await (const batch of scanMaster(store, { types: ['twitter'], columns: [] })) {
      const times = batch.getChild('interaction.created_at')
      for (let r = 0; r < batch.numRows; r++) {
        const t = Number(times?.get(r))
        if (t >= from && t < to) want++
      }
    }
    expect(twitterIds.size).toBeGreaterThan(0)
    expect(rows).toBe(want)
    expect(stats.partsRead).toBeLessThan(twitter.length + 1)
    expect(stats.rowGroupsRead).toBeLessThan(stats.rowGroupsTotal)
    // Ranged reads: a narrow projection fetches fewer bytes than a wide one over the same rows.
    const wide = emptyScanStats()
    const all = TARGETS.map((t) => t.path)
    for await (const b of scanMaster(store, { from, to, types: ['twitter'], columns: all }, wide))
      void b
    expect(wide.rowsYielded).toBe(stats.rowsYielded)
    expect(stats.bytesFetched).toBeLessThan(wide.bytesFetched)
  })

  it('compacts small parts into bigger ones without changing what readers see', async () => {
    const before = await publishedIds(store)
    const snapshotBefore = await readMasterSnapshot(store)
    const report = await shred({ store, compact: true, partRows: 100_000, rowGroupRows: 256 })
    expect(report.partsCompacted).toBeGreaterThan(1)
    const after = await publishedIds(store)
    expect(after).toEqual(before)
    const snapshot = await readMasterSnapshot(store)
    expect(snapshot.parts.size).toBeLessThan(snapshotBefore.parts.size)
    // A reader holding the old snapshot still reads it whole: retired files stay until vacuum.
    let rows = 0
    for await (const b of scanMaster(store, { columns: [], snapshot: snapshotBefore }))
      rows += b.numRows
    expect(rows).toBe([...before.values()].reduce((n, l) => n + l.length, 0))
    // A vacuum past the retention deletes the retired files.
    const vacuumed = await shred({ store, retainMs: 0 })
    expect(vacuumed.partsVacuumed).toBe(report.partsCompacted)
    const files = await keysUnder(store, 'master/type=')
    expect(files.sort()).toEqual([...(await readMasterSnapshot(store)).parts.keys()].sort())
    expect(await publishedIds(store)).toEqual(after)
  })

  it('fails a scan with the part named when a published part is missing', async () => {
    const [part] = [...(await readMasterSnapshot(store)).parts.values()]
    await store.delete(part?.key ?? '')
    const scan = async () => {
      for await (const b of scanMaster(store, { columns: ['interaction.id'] })) void b
    }
    await expect(scan()).rejects.toThrow(MasterDataError)
    await expect(scan()).rejects.toThrow(part?.key ?? '?')
  })
})
