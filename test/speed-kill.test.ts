import type { ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import type { LaunchedProcess } from '../infra/launchers/launched-process.js'
import { startRedis } from '../infra/launchers/redis-launcher.js'
import { StreamCatalog } from '../query-dsl/index.js'
import {
  expectSpeedViewsFold,
  SPEED_JOBS,
  speedQueues,
  startSpeedProcess,
} from './support/speed-load.js'
import { SPEED_STORE_ADAPTERS, speedStores } from './support/speed-stores.js'
import { tempDir } from './support/temp-dir.js'

const ROUTES = 4
const LOCK_MS = 1500

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
      const queues = speedQueues(queueUrl, ROUTES)
      // LevelDB is one process's; Cassandra takes two at once.
      const processes = adapter === 'level' ? 1 : 2
      const start = (): ChildProcess =>
        startSpeedProcess({
          store: `file://${dir.path}/store`,
          queue: queueUrl,
          speedStore: speedUrl,
          routes: ROUTES,
        })
      const workers = Array.from({ length: processes }, start)
      let kills = 0
      try {
        // A steady load: five jobs every 150 ms, while a worker is killed every ~1.2 s and a new
        // one started in its place.
        let added = 0
        let nextKill = Date.now() + 1200
        while (added < SPEED_JOBS.length || kills < 4) {
          if (added < SPEED_JOBS.length) {
            await queues.handoff.add(SPEED_JOBS.slice(added, added + 5))
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
        // The hand-off queue, then every route's queue (each read by the route's writer).
        await queues.drained()
      } finally {
        for (const w of workers) w.kill('SIGTERM')
        await Promise.all(
          workers.map(
            (w) => new Promise((r) => (w.exitCode === null ? w.once('exit', r) : r(null))),
          ),
        )
        await queues.close()
      }
      expect(kills).toBe(4)
      await expectSpeedViewsFold(objects, await stores.fresh(speedUrl), ROUTES)
    }, 300_000)
  },
)
