import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openObjectStore } from '../infra/adapters/open-object-store.js'
import { parseStoreUrl } from '../infra/config/adapter-urls.js'
import { MASTER_LOG_PREFIX, readMasterSnapshot } from '../schemas/index.js'
import type { ObjectStore } from '../schemas/ports/index.js'
import { expectedPartitions, keysUnder, publishedIds } from './support/master-contents.js'
import { putRawSegment } from './support/raw-segments.js'
import { REPO_ROOT, dataLines } from './support/shared-data.js'
import { tempDir } from './support/temp-dir.js'

const SLUICE = join(REPO_ROOT, 'dist/infra/bin/sluice.js')

const tweets = dataLines('twitter-v1-sample.jsonl.gz').slice(0, 24_000)
// Twelve segments of 2,000 tweets, each repeating 300 of the previous one's (resent batches).
const SEGMENTS = Array.from({ length: 12 }, (_, i) => ({
  source: 'twitter-v1',
  date: i < 6 ? '2026-11-20' : '2026-11-21',
  segment: i,
  records: tweets.slice(Math.max(0, i * 2000 - 300), (i + 1) * 2000),
}))

/** Every visible id once, and nothing the raw input did not hold. */
async function expectConsistent(store: ObjectStore, expected: Map<string, Set<string>>) {
  const visible = await publishedIds(store)
  for (const [name, ids] of visible) {
    expect(new Set(ids).size, `duplicates in ${name}`).toBe(ids.length)
    const want = expected.get(name)
    for (const id of ids) expect(want?.has(id), `${id} in ${name}`).toBe(true)
  }
  return visible
}

describe('sluice shred killed with SIGKILL at random points', () => {
  const dir = tempDir('shred-kill')
  const url = `file://${dir.path}/store`
  const store = openObjectStore(parseStoreUrl('store', url))
  const expected = expectedPartitions(SEGMENTS)

  beforeAll(async () => {
    for (const spec of SEGMENTS) await putRawSegment(store, spec)
  })
  afterAll(() => dir.remove())

  const run = (extra: readonly string[] = []) => {
    const child = spawn(
      process.execPath,
      [SLUICE, 'shred', '--store', url, '--chunk-mb', '0.3', '--part-rows', '5000', ...extra],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let output = ''
    child.stdout.on('data', (c: Buffer) => (output += c.toString()))
    child.stderr.on('data', (c: Buffer) => (output += c.toString()))
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    )
    return { child, exited, output: () => output }
  }

  it('never shows a partial or duplicated run, and the next run finishes the job', async () => {
    let killedMidway = 0
    for (let attempt = 0; attempt < 4; attempt++) {
      const before = (await keysUnder(store, MASTER_LOG_PREFIX)).length
      const { child, exited } = run()
      // Kill once this run has published something, at a random moment after it.
      for (let i = 0; i < 400; i++) {
        if ((await keysUnder(store, MASTER_LOG_PREFIX)).length > before) break
        if (child.exitCode !== null) break
        await sleep(25)
      }
      await sleep(Math.random() * 400)
      const finished = child.exitCode !== null
      child.kill('SIGKILL')
      await exited
      if (!finished) killedMidway++
      await expectConsistent(store, expected)
    }
    expect(killedMidway).toBeGreaterThan(0)
    const last = run(['--retain', '0'])
    expect(await last.exited, last.output()).toBe(0)
    const visible = await expectConsistent(store, expected)
    expect(new Map([...visible].map(([k, v]) => [k, new Set(v)]))).toEqual(expected)
    // The killed runs' unpublished parts are gone: the folder holds exactly the published ones.
    const files = await keysUnder(store, 'master/type=')
    expect(files.sort()).toEqual([...(await readMasterSnapshot(store)).parts.keys()].sort())
    // And once more adds nothing.
    const again = run()
    expect(await again.exited).toBe(0)
    expect(again.output()).toMatch(/segments: +0 shredded, 12 already shredded/)
  }, 240_000)
})
