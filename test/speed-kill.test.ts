import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { aggregateInteractions } from '../batch/index.js'
import { HANDOFF_QUEUE, type HandoffJob } from '../schemas/index.js'
import { openJobQueue } from '../infra/adapters/open-job-queue.js'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { parseQueueUrl } from '../infra/config/adapter-urls.js'
import type { LaunchedProcess } from '../infra/launchers/launched-process.js'
import { startRedis } from '../infra/launchers/redis-launcher.js'
import { FilterSet, StreamCatalog } from '../query-dsl/index.js'
import {
  augment,
  envelopePrefix,
  normalizeLine,
  SPEED_GRANULARITIES,
  VIEWS,
  type Interaction,
  type TopSummary,
} from '../schemas/index.js'
import { SpeedViews } from '../speed/index.js'
import { REPO_ROOT, dataLines } from './support/shared-data.js'
import { SPEED_STORE_ADAPTERS, speedStores } from './support/speed-stores.js'
import { tempDir } from './support/temp-dir.js'
import { until } from './support/until.js'
import { canonicalAggregates, servedRows } from './support/view-oracle.js'

const SLUICE = join(REPO_ROOT, 'dist/infra/bin/sluice.js')
const ROUTES = 4
const LOCK_MS = 1500
const tweets = dataLines('twitter-v1-sample.jsonl.gz').slice(0, 2400)
// Jobs of 40 lines of one segment; every fifth job also repeats 10 records of the one before
// under new envelopes (a record received twice, as from two connections).
const JOBS: { id: string; data: HandoffJob }[] = Array.from({ length: 60 }, (_, j) => {
  const records = tweets.slice(j * 40, (j + 1) * 40)
  const again = j % 5 === 4 ? tweets.slice(j * 40 - 10, j * 40) : []
  const lines = [...records, ...again].map(
    (record, n) =>
      `${envelopePrefix('twitter-v1', '2026-11-23T10:00:00.000Z', 'c1', 0, j * 50 + n, undefined)}${record}}`,
  )
  return {
    id: `c1-0-${j * 50}-${lines.length}`,
    data: { collector: 'c1', segment: 0, firstSeq: j * 50, lines },
  }
})

function distinctInteractions(): Interaction[] {
  const byId = new Map<string, Interaction>()
  for (const line of tweets) {
    const o = normalizeLine(line, 'twitter-v1')
    if (o.kind !== 'interactions') continue
    for (const i of o.interactions) byId.set(i.interaction?.id ?? '', augment(i))
  }
  return [...byId.values()]
}

describe.each(SPEED_STORE_ADAPTERS)(
  'sluice speed workers killed with SIGKILL under load: %s',
  (adapter) => {
    const dir = tempDir(`speed-kill-${adapter}`)
    const stores = speedStores(adapter, 'speed-kill')
    const objects = new LocalDirObjectStore(`${dir.path}/store`)
    let redis: { process: LaunchedProcess; url: string } | undefined

    beforeAll(async () => {
      redis = await startRedis()
      await stores.start()
      const catalog = new StreamCatalog(objects)
      await catalog.create('language.tag == "en"', 'english', 'alice')
      await catalog.create('interaction.hashtags exists', 'tagged', 'bob')
    }, 180_000)
    afterAll(async () => {
      await stores.stop()
      await redis?.process.stop()
      dir.remove()
    })

    it('ends with every view equal to a fold of the distinct interactions ingested', async () => {
      const queueUrl = `${redis?.url ?? ''}?prefix=k${randomUUID()}&lock_ms=${LOCK_MS}`
      const speedUrl = stores.url()
      const queue = openJobQueue<HandoffJob>(parseQueueUrl('queue', queueUrl), HANDOFF_QUEUE)
      // LevelDB is one process's; Cassandra takes two at once.
      const processes = adapter === 'level' ? 1 : 2
      const start = (): ChildProcess =>
        spawn(
          process.execPath,
          [
            SLUICE,
            'speed',
            '--store',
            `file://${dir.path}/store`,
            '--queue',
            queueUrl,
            '--speed-store',
            speedUrl,
            '--routes',
            String(ROUTES),
            '--workers',
            '3',
            '--flush-ms',
            '20',
            '--refresh-ms',
            '500',
          ],
          { stdio: ['ignore', 'ignore', 'pipe'] },
        )
      const workers = Array.from({ length: processes }, start)
      let kills = 0
      try {
        // A steady load: five jobs every 150 ms, while a worker is killed every ~1.2 s and a new
        // one started in its place.
        let added = 0
        let nextKill = Date.now() + 1200
        while (added < JOBS.length || kills < 4) {
          if (added < JOBS.length) {
            await queue.add(JOBS.slice(added, added + 5))
            added += 5
          }
          if (Date.now() >= nextKill && kills < 4) {
            const victim = kills % processes
            workers[victim]?.kill('SIGKILL')
            await new Promise((r) => workers[victim]?.once('exit', r))
            workers[victim] = start()
            kills++
            nextKill = Date.now() + 800
          }
          await sleep(150)
        }
        await until(
          'the hand-off queue to drain',
          async () => {
            const c = await queue.counts()
            return c.waiting + c.active + c.delayed === 0
          },
          120_000,
        )
        expect((await queue.counts()).failed).toBe(0)
      } finally {
        for (const w of workers) w.kill('SIGTERM')
        await Promise.all(
          workers.map(
            (w) => new Promise((r) => (w.exitCode === null ? w.once('exit', r) : r(null))),
          ),
        )
        await queue.close()
      }
      expect(kills).toBe(4)

      const definitions = await new StreamCatalog(objects).definitions()
      const set = new FilterSet()
      for (const d of definitions) set.add(d)
      const oracle = aggregateInteractions(
        distinctInteractions(),
        set,
        VIEWS,
        undefined,
        SPEED_GRANULARITIES,
      )
      // Below their capacity top summaries are exact, whatever the order of adds and merges.
      for (const [key, value] of oracle.values)
        if (key.startsWith('top\u0001')) expect((value as TopSummary).size).toBeLessThan(200)
      const want = canonicalAggregates(oracle)
      const speedViews = new SpeedViews(await stores.fresh(speedUrl), VIEWS, ROUTES)
      const got = await servedRows(
        (q) => speedViews.range(q),
        definitions.map((d) => d.hash),
        VIEWS,
        SPEED_GRANULARITIES,
      )
      expect(want.size).toBeGreaterThan(500)
      expect(got).toEqual(want)
    }, 300_000)
  },
)
