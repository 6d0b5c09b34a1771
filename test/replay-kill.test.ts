import type { ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { gunzipSync } from 'node:zlib'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { replayedRecords } from '../bench/replayed-firehose.js'
import { openJobQueue } from '../infra/adapters/open-job-queue.js'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { parseQueueUrl } from '../infra/config/adapter-urls.js'
import type { LaunchedProcess } from '../infra/launchers/launched-process.js'
import { startRedis } from '../infra/launchers/redis-launcher.js'
import { FilterSet, StreamCatalog } from '../query-dsl/index.js'
import { augment, normalizeLine } from '../schemas/index.js'
import {
  createReplay,
  readReplayManifest,
  ReplayStatusReader,
  type ReplayTask,
} from '../serving/index.js'
import { shred } from '../shredder/index.js'
import { putRawSegment } from './support/raw-segments.js'
import { sharedDataDir } from './support/shared-data.js'
import { spawnSluice, stopSluice } from './support/sluice-process.js'
import { tempDir } from './support/temp-dir.js'
import { until } from './support/until.js'

const HOUR = 3_600_000
const START = Date.parse('2026-11-01T00:00:00Z')
const DAYS = 4
const RECORDS = 16_000
const records = [
  ...replayedRecords({
    dataDir: sharedDataDir(),
    records: RECORDS,
    start: START,
    windowMs: DAYS * 24 * HOUR,
  }),
]
const FILTER = 'language.tag == "en" or interaction.hashtags exists'

describe('a multi-day replay whose workers are killed', () => {
  const dir = tempDir('replay-kill')
  const store = new LocalDirObjectStore(`${dir.path}/store`)
  let redis: { process: LaunchedProcess; url: string } | undefined

  beforeAll(async () => {
    redis = await startRedis()
    for (let s = 0; s < 4; s++)
      await putRawSegment(store, {
        source: 'twitter-v1',
        date: '2026-11-05',
        segment: s,
        records: records.slice(s * 4000, (s + 1) * 4000),
      })
    await shred({ store, compact: false })
  }, 180_000)
  afterAll(async () => {
    await redis?.process.stop()
    dir.remove()
  })

  it('ends with every match exactly once, in order', async () => {
    // A short lock, so a killed worker's task is handed to another within seconds.
    const queueUrl = `${redis?.url ?? ''}?prefix=r${randomUUID()}&lock_ms=1500`
    const queue = openJobQueue<ReplayTask>(parseQueueUrl('queue', queueUrl), 'replays')
    const start = (): ChildProcess => {
      const child = spawnSluice([
        'replay',
        'worker',
        ...['--store', `file://${dir.path}/store`, '--queue', queueUrl],
      ])
      child.stderr?.resume()
      return child
    }
    const workers = [start(), start()]
    const job = await createReplay(store, queue, {
      owner: 'alice',
      csdl: FILTER,
      from: START,
      to: START + DAYS * 24 * HOUR,
      format: 'ndjson',
    })
    expect(job.partitions.length).toBe(DAYS)
    const reader = new ReplayStatusReader(store)
    let kills = 0
    try {
      // Whenever the queue shows two tasks held, a worker is killed (the first time surely in
      // the middle of one) and another started in its place, six times.
      while (kills < 6 && (await reader.status(job)).state !== 'done') {
        if ((await queue.counts()).active < 2) {
          await sleep(20)
          continue
        }
        const victim = kills % 2
        workers[victim]?.kill('SIGKILL')
        await new Promise((r) => workers[victim]?.once('exit', r))
        workers[victim] = start()
        kills++
      }
      await until(
        'the replay to finish',
        async () => (await reader.status(job)).state === 'done',
        120_000,
      )
    } finally {
      await Promise.all(workers.map(stopSluice))
      await queue.close()
    }
    // The first kill at least found both workers holding a task.
    expect(kills).toBeGreaterThan(0)

    // Brute force: every distinct interaction the filter matches.
    const set = new FilterSet()
    set.add(
      await (async () => {
        const r = await new StreamCatalog(store).validate(FILTER)
        if (!r.ok) throw new Error('filter')
        return r.definition
      })(),
    )
    const want = new Set<string>()
    for (const line of records) {
      const o = normalizeLine(line, 'twitter-v1')
      if (o.kind !== 'interactions') continue
      for (const i of o.interactions)
        if (set.match(augment(i)).length > 0) want.add(i.interaction?.id ?? '')
    }
    const manifest = await readReplayManifest(store, job.id)
    const ids: string[] = []
    let last = -Infinity
    for (const chunk of manifest?.chunks ?? []) {
      const text = gunzipSync((await store.get(chunk.key)) as Uint8Array).toString('utf8')
      for (const line of text.split('\n')) {
        if (line === '') continue
        const r = JSON.parse(line) as { interaction: { id: string; created_at: string } }
        const at = Date.parse(r.interaction.created_at)
        expect(at).toBeGreaterThanOrEqual(last)
        last = at
        ids.push(r.interaction.id)
      }
    }
    expect(want.size).toBeGreaterThan(1000)
    expect(ids.length).toBe(want.size)
    expect(new Set(ids)).toEqual(want)
  }, 300_000)
})
