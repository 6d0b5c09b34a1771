import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openObjectStore } from '../infra/adapters/open-object-store.js'
import { REPO_ROOT, dataLines, sharedDataDir } from './support/shared-data.js'
import { storedRecords } from './support/stored-records.js'
import { tempDir } from './support/temp-dir.js'

const BIN = join(REPO_ROOT, 'dist', 'infra', 'bin', 'sluice.js')
const sluice = (args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })

describe('sluice collect and sluice generate', () => {
  const tmp = tempDir('cli-collect')
  afterAll(() => tmp.remove())

  it('replays a recorded firehose file (gzip, format detected) into the store and exits', () => {
    const run = sluice([
      'collect',
      '--replay',
      join(sharedDataDir(), 'reddit-api-comments-sample.jsonl.gz'),
      '--rate',
      '20000',
      '--store',
      `file://${tmp.path}/store`,
      '--log-dir',
      `${tmp.path}/log`,
      '--collector',
      'r1',
    ])
    expect(run.status, run.stderr).toBe(0)
    expect(run.stderr).toMatch(/"event":"replay_done"/)
    return storedRecords(openObjectStore({ kind: 'file', path: `${tmp.path}/store` })).then(
      (stored) => {
        expect([...stored.keys()].every((k) => k.startsWith('raw/source=reddit/date='))).toBe(true)
        const records = [...stored.values()].flat()
        const original = dataLines('reddit-api-comments-sample.jsonl.gz')
        const unique = new Set(original.map((l) => (JSON.parse(l) as { id: string }).id))
        expect(records.length).toBe(unique.size)
        expect(new Set(records).size).toBe(records.length)
        for (const r of records.slice(0, 50)) expect(original).toContain(r)
      },
    )
  })

  it('generates the same seeded firehose every time, as many lines as asked', () => {
    const args = ['generate', '--count', '300', '--seed', '42', '--start', '2026-11-22T00:00:00Z']
    const a = sluice(args)
    const b = sluice(args)
    expect(a.status, a.stderr).toBe(0)
    const lines = a.stdout.trim().split('\n')
    expect(lines).toHaveLength(300)
    // Identical apart from the receipt clock inside each record.
    const strip = (s: string) =>
      s.replace(/\d{10,}/g, 'N').replace(/\w{3} \w{3} \d\d [\d:]+ \+0000 \d{4}/g, 'T')
    expect(strip(a.stdout)).toBe(strip(b.stdout))
  })

  it('says what is wrong with its options', () => {
    const none = sluice(['collect', '--log-dir', `${tmp.path}/x`])
    expect(none.status).toBe(2)
    expect(none.stderr).toMatch(/give at least one of --http, --replay FILE, --generate/)
    const badStore = sluice(['collect', '--generate', '--store', 'ftp://x'])
    expect(badStore.status).toBe(2)
    expect(badStore.stderr).toMatch(/expected file:\/\/PATH or s3:\/\//)
    const missing = sluice([
      'collect',
      '--replay',
      `${tmp.path}/nope.ndjson`,
      '--log-dir',
      `${tmp.path}/m`,
      '--store',
      `file://${tmp.path}/ms`,
    ])
    expect(missing.status).toBe(2)
    expect(missing.stderr).toMatch(/cannot read .*nope\.ndjson: no such file/)
    const badSpike = sluice(['generate', '--spike', '10:20:2'])
    expect(badSpike.status).not.toBe(0)
    expect(badSpike.stderr).toMatch(/EVERY_S:DURATION_S:FACTOR/)
  })
})
