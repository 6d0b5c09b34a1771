import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { readEnvelope } from '../schemas/index.js'
import { dataLines } from '../test/support/shared-data.js'
import { tempDir } from '../test/support/temp-dir.js'
import { RawLog, type RecordSlice } from './raw-log.js'
import { listSegmentFiles, segmentPath } from './segment-files.js'

const slices = (lines: readonly string[]): RecordSlice[] =>
  lines.map((l) => {
    const bytes = Buffer.from(l)
    return { bytes, start: 0, end: bytes.length }
  })

async function sealedLines(dir: string): Promise<{ key: string; lines: string[] }[]> {
  const out = []
  for (const f of await listSegmentFiles(dir)) {
    if (f.state !== 'sealed') continue
    const text = gunzipSync(readFileSync(f.path)).toString('utf8')
    out.push({ key: f.key, lines: text.split('\n').filter((l) => l !== '') })
  }
  return out
}

describe('RawLog', () => {
  const tmp = tempDir('raw-log')
  afterAll(() => tmp.remove())
  const tweets = dataLines('twitter-v1-sample.jsonl.gz').slice(0, 300)
  const at = Date.UTC(2026, 10, 22, 12, 0, 0)

  it('keeps each record byte for byte inside its envelope, in order, and seals with gzip', async () => {
    const dir = join(tmp.path, 'roundtrip')
    const log = await RawLog.open({ dir, collector: 'c1', now: () => at })
    await log.append('raw', 'twitter-v1', at, slices(tweets.slice(0, 100)))
    await log.append('raw', 'twitter-v1', at, slices(tweets.slice(100, 150)))
    await log.append('raw', 'reddit', at, slices(['{"id":"r1"}', 'not json at all}']))
    await log.close()
    const segments = await sealedLines(dir)
    expect(segments.map((s) => s.key)).toEqual([
      'raw/source=twitter-v1/date=2026-11-22/c1-0.ndjson.gz',
      'raw/source=reddit/date=2026-11-22/c1-1.ndjson.gz',
    ])
    const envelopes = segments[0]?.lines.map(readEnvelope) ?? []
    expect(envelopes.map((e) => e.record)).toEqual(tweets.slice(0, 150))
    expect(envelopes.map((e) => e.seq)).toEqual(Array.from({ length: 150 }, (_, i) => i))
    expect(envelopes[0]).toMatchObject({
      source: 'twitter-v1',
      collector: 'c1',
      segment: 0,
      receivedAt: '2026-11-22T12:00:00.000Z',
    })
    // A record that is not JSON still comes back as sent.
    expect(segments[1]?.lines.map((l) => readEnvelope(l).record)).toEqual([
      '{"id":"r1"}',
      'not json at all}',
    ])
  })

  it('rotates by size and by receipt day, never reusing a segment number', async () => {
    const dir = join(tmp.path, 'rotate')
    const log = await RawLog.open({ dir, collector: 'c1', maxSegmentBytes: 50_000 })
    for (let i = 0; i < 10; i++)
      await log.append('raw', 'twitter-v1', at, slices(tweets.slice(i * 20, i * 20 + 20)))
    await log.append('raw', 'twitter-v1', at + 86_400_000, slices(tweets.slice(0, 1)))
    await log.close()
    const segments = await sealedLines(dir)
    expect(segments.length).toBeGreaterThan(3)
    const numbers = segments.map((s) => Number(/-(\d+)\.ndjson/.exec(s.key)?.[1]))
    expect(new Set(numbers).size).toBe(numbers.length)
    expect(segments.flatMap((s) => s.lines).length).toBe(201)
    expect(segments.at(-1)?.key).toContain('date=2026-11-23')
    const reopened = await RawLog.open({ dir, collector: 'c1' })
    await reopened.append('raw', 'reddit', at, slices(['{"id":"x"}']))
    await reopened.close()
    const after = await sealedLines(dir)
    expect(after.at(-1)?.key).toBe(
      `raw/source=reddit/date=2026-11-22/c1-${Math.max(...numbers) + 1}.ndjson.gz`,
    )
  })

  it('recovers from a crash: cuts the torn last line and seals what was left open', async () => {
    const dir = join(tmp.path, 'crash')
    const log = await RawLog.open({ dir, collector: 'c1' })
    await log.append('raw', 'twitter-v1', at, slices(tweets.slice(0, 5)))
    // The process dies here: the segment is still open. Simulate a torn write after it.
    const open = (await listSegmentFiles(dir)).find((f) => f.state === 'open')
    expect(open).toBeDefined()
    const path = open?.path ?? ''
    writeFileSync(
      path,
      Buffer.concat([readFileSync(path), Buffer.from('{"source":"twitter-v1","rec')]),
    )
    // A half-compressed file from an interrupted seal of another segment.
    const compressing = segmentPath(
      dir,
      'raw/source=reddit/date=2026-11-22/c1-9.ndjson.gz',
      'compressing',
    )
    mkdirSync(dirname(compressing), { recursive: true })
    writeFileSync(compressing, 'x')

    const recovered = await RawLog.open({ dir, collector: 'c1' })
    expect(recovered.getStats()).toMatchObject({ recoveredSegments: 1, tornBytesCut: 27 })
    const segments = await sealedLines(dir)
    expect(segments.map((s) => s.lines.map((l) => readEnvelope(l).record))).toEqual([
      tweets.slice(0, 5),
    ])
    expect((await listSegmentFiles(dir)).map((f) => f.state)).toEqual(['sealed'])
    // The number of the half-compressed segment is not reused either.
    await recovered.append('raw', 'reddit', at, slices(['{"id":"y"}']))
    await recovered.close()
    expect((await sealedLines(dir)).at(-1)?.key).toContain('c1-10.ndjson.gz')
    await log.close().catch(() => undefined)
  })

  it('writes concurrent appends as groups and acknowledges each', async () => {
    const dir = join(tmp.path, 'group')
    const log = await RawLog.open({ dir, collector: 'c1' })
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        log.append('raw', 'twitter-v1', at, slices(tweets.slice(i * 6, i * 6 + 6))),
      ),
    )
    await log.close()
    const lines = (await sealedLines(dir)).flatMap((s) => s.lines).map(readEnvelope)
    expect(lines.map((e) => e.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i))
    expect(new Set(lines.map((e) => e.record))).toEqual(new Set(tweets))
    expect(readdirSync(dir).sort()).toEqual(['raw', 'segment-counter'])
  })
})
