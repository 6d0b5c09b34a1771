import type { ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
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
import { speedStores } from './support/speed-stores.js'
import { tempDir } from './support/temp-dir.js'
import { until } from './support/until.js'

const ROUTES = 4
const LEASE_MS = 2000

/** A speed process with its ops URL, and its stderr kept (and drained, so it never blocks). */
async function speedProcess(args: Parameters<typeof startSpeedProcess>[0]) {
  const child = startSpeedProcess(args, ['--http', '127.0.0.1:0', '--lease-ms', String(LEASE_MS)])
  let log = ''
  child.stderr?.on('data', (b: Buffer) => (log += b.toString('utf8')))
  await until('the speed process to serve its metrics', () =>
    /serving (http:\S+)\/health/.test(log),
  )
  const url = /serving (http:\S+)\/health/.exec(log)?.[1] ?? ''
  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`${url}/metrics`)).text()
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN)
  }
  return { child, metric, log: () => log }
}

describe('a speed process paused past its route leases (SIGSTOP, then SIGCONT)', () => {
  const dir = tempDir('speed-pause')
  const stores = speedStores('cassandra', 'speed-pause')
  const objects = new LocalDirObjectStore(`${dir.path}/store`)
  let redis: { process: LaunchedProcess; url: string } | undefined
  const children: ChildProcess[] = []

  beforeAll(async () => {
    redis = await startRedis()
    await stores.start()
    const catalog = new StreamCatalog(objects)
    await catalog.create('language.tag == "en"', 'english', 'alice')
    await catalog.create('interaction.hashtags exists', 'tagged', 'bob')
  }, 180_000)
  afterAll(async () => {
    for (const c of children) {
      c.kill('SIGCONT')
      c.kill('SIGTERM')
    }
    await Promise.all(
      children.map((c) => new Promise((r) => (c.exitCode === null ? c.once('exit', r) : r(null)))),
    )
    await stores.stop()
    await redis?.process.stop()
    dir.remove()
  })

  it('has its routes taken over, then handed back, with nothing lost or counted twice', async () => {
    const queueUrl = `${redis?.url ?? ''}?prefix=p${randomUUID()}&lock_ms=1500`
    const speedUrl = stores.url()
    const queues = speedQueues(queueUrl, ROUTES)
    const args = {
      store: `file://${dir.path}/store`,
      queue: queueUrl,
      speedStore: speedUrl,
      routes: ROUTES,
    }
    const a = await speedProcess(args)
    children.push(a.child)
    const b = await speedProcess(args)
    children.push(b.child)
    try {
      // Two live processes divide the four routes between them.
      await until(
        'each process to write two routes',
        async () =>
          (await a.metric('sluice_speed_routes_owned')) === 2 &&
          (await b.metric('sluice_speed_routes_owned')) === 2,
        30_000,
      )
      await queues.handoff.add(SPEED_JOBS.slice(0, 20))
      a.child.kill('SIGSTOP')
      await queues.handoff.add(SPEED_JOBS.slice(20, 40))
      // Its leases lapse: the other process takes its routes and goes on with their queues.
      await until(
        'the running process to write every route',
        async () => (await b.metric('sluice_speed_routes_owned')) === ROUTES,
        30_000,
      )
      a.child.kill('SIGCONT')
      await queues.handoff.add(SPEED_JOBS.slice(40))
      // Awake, it finds its leases gone, stops writing those routes, and gets two back.
      await until(
        'the routes to be divided again',
        async () =>
          (await a.metric('sluice_speed_routes_owned')) === 2 &&
          (await b.metric('sluice_speed_routes_owned')) === 2,
        30_000,
      )
      expect(a.log()).toMatch(/no longer writing it/)
      await queues.drained()
    } finally {
      await queues.close()
    }
    await expectSpeedViewsFold(objects, await stores.fresh(speedUrl), ROUTES)
  }, 300_000)
})
