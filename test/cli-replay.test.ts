import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { replayedRecords } from '../bench/replayed-firehose.js'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { LevelSpeedStore } from '../infra/adapters/speed-store/level-speed-store.js'
import type { ApiService } from '../infra/serve/api-service.js'
import { ApiKeys } from '../serving/index.js'
import { shred } from '../shredder/index.js'
import { putRawSegment } from './support/raw-segments.js'
import { sharedDataDir } from './support/shared-data.js'
import { runSluice } from './support/sluice-process.js'
import { startEmbeddedApi } from './support/embedded-api.js'
import { tempDir } from './support/temp-dir.js'

const HOUR = 3_600_000
const START = Date.parse('2026-11-02T00:00:00Z')
const records = [
  ...replayedRecords({
    dataDir: sharedDataDir(),
    records: 2000,
    start: START,
    windowMs: 72 * HOUR,
  }),
]

/** The records of every chunk in `out`, in file order. */
function outputIds(out: string): { ids: string[]; times: number[]; manifest: { records: number } } {
  const ids: string[] = []
  const times: number[] = []
  for (const name of readdirSync(out)
    .filter((n) => n.endsWith('.ndjson.gz'))
    .sort())
    for (const line of gunzipSync(readFileSync(`${out}/${name}`))
      .toString('utf8')
      .split('\n')) {
      if (line === '') continue
      const r = JSON.parse(line) as { interaction: { id: string; created_at: string } }
      ids.push(r.interaction.id)
      times.push(Date.parse(r.interaction.created_at))
    }
  const manifest = JSON.parse(readFileSync(`${out}/manifest.json`, 'utf8')) as { records: number }
  return { ids, times, manifest }
}

describe('sluice replay', () => {
  const dir = tempDir('cli-replay')
  const store = new LocalDirObjectStore(`${dir.path}/store`)
  const filter = `${dir.path}/english.csdl`
  const span = ['--from', '2026-11-02T06:00:00Z', '--to', '2026-11-04T12:00:00Z']

  beforeAll(async () => {
    await putRawSegment(store, { source: 'twitter-v1', date: '2026-11-05', segment: 0, records })
    await shred({ store, compact: false })
    writeFileSync(filter, 'language.tag == "en"\n')
  }, 120_000)
  afterAll(() => dir.remove())

  it('runs a replay on this machine into --out, in order, and the same through a remote API', async () => {
    const local = await runSluice([
      'replay',
      ...['--filter', filter, ...span],
      ...['--store', `file://${dir.path}/store`, '--out', `${dir.path}/local`, '--workers', '2'],
    ])
    expect(local.stdout).toMatch(/replay: +done/)
    expect(local.stdout).toMatch(/partitions: +3\/3/)
    const mine = outputIds(`${dir.path}/local`)
    expect(mine.ids.length).toBeGreaterThan(100)
    expect(mine.manifest.records).toBe(mine.ids.length)
    expect(mine.times).toEqual([...mine.times].sort((a, b) => a - b))
    expect(Number(/matches: +(\d+)/.exec(local.stdout)?.[1])).toBe(mine.ids.length)

    // Through a stack's API: the same matches.
    const speedStore = await LevelSpeedStore.open(`${dir.path}/speed`)
    let api: ApiService | undefined
    try {
      api = await startEmbeddedApi(store, speedStore, `${dir.path}/cache`)
      const { key } = await new ApiKeys(store).create('cli')
      const remote = await runSluice([
        'replay',
        ...['--filter', filter, ...span],
        ...['--api', api.url, '--key', key, '--out', `${dir.path}/remote`],
      ])
      expect(remote.stdout).toMatch(/replay: +done/)
      expect(outputIds(`${dir.path}/remote`).ids).toEqual(mine.ids)
    } finally {
      await api?.close()
      await speedStore.close()
    }
  }, 120_000)

  it('says what is wrong with a filter, with its line and column', async () => {
    writeFileSync(`${dir.path}/bad.csdl`, 'language.tag ==\n')
    await expect(
      runSluice([
        'replay',
        '--filter',
        `${dir.path}/bad.csdl`,
        ...span,
        '--store',
        `file://${dir.path}/store`,
      ]),
    ).rejects.toThrow(/1:\d+/)
  })
})
