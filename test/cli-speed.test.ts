import { setTimeout as sleep } from 'node:timers/promises'
import { spawn, spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HANDOFF_QUEUE, type HandoffJob } from '../schemas/index.js'
import { openJobQueue } from '../infra/adapters/open-job-queue.js'
import { parseQueueUrl } from '../infra/config/adapter-urls.js'
import type { LaunchedProcess } from '../infra/launchers/launched-process.js'
import { startRedis } from '../infra/launchers/redis-launcher.js'
import { envelopePrefix } from '../schemas/index.js'
import { dataLines } from './support/shared-data.js'
import { metricSample as sample, SLUICE, stderrMatch } from './support/sluice-process.js'
import { tempDir } from './support/temp-dir.js'
import { until } from './support/until.js'

const tweets = dataLines('twitter-v1-sample.jsonl.gz').slice(0, 200)

describe('sluice speed', () => {
  const dir = tempDir('cli-speed')
  let redis: { process: LaunchedProcess; url: string } | undefined
  beforeAll(async () => {
    redis = await startRedis()
  }, 60_000)
  afterAll(async () => {
    await redis?.process.stop()
    dir.remove()
  })

  it('serves its metrics and health while it counts hand-off jobs, and keeps a store to its routes', async () => {
    const queueUrl = `${redis?.url ?? ''}?prefix=s${randomUUID()}`
    const speedStore = `level://${dir.path}/speed`
    const args = ['speed', '--store', `file://${dir.path}/store`, '--queue', queueUrl]
    const child = spawn(
      process.execPath,
      [SLUICE, ...args, '--speed-store', speedStore, '--routes', '3', '--http', '127.0.0.1:0'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    )
    try {
      const [, url] = await stderrMatch(child, /serving (http:\/\/\S+)\/health/)
      const queue = openJobQueue<HandoffJob>(parseQueueUrl('queue', queueUrl), HANDOFF_QUEUE)
      const lines = tweets.map(
        (record, n) =>
          `${envelopePrefix('twitter-v1', '2026-11-23T10:00:00.000Z', 'c1', 0, n, undefined)}${record}}`,
      )
      await queue.add([
        { id: 'c1-0-0', data: { collector: 'c1', segment: 0, firstSeq: 0, lines } },
        // A line that is not an envelope: counted as malformed, the rest goes on.
        { id: 'c1-0-200', data: { collector: 'c1', segment: 0, firstSeq: 200, lines: ['{'] } },
      ])
      let metrics = ''
      await until(
        'the speed process to count both jobs',
        async () => {
          metrics = await (await fetch(`${url}/metrics`)).text()
          // Read by one stage, applied by the route's writer after it.
          return (
            sample(metrics, 'sluice_speed_jobs_total') === 2 &&
            sample(metrics, 'sluice_speed_applied_total') === 200
          )
        },
        60_000,
      )
      await queue.close()
      expect(sample(metrics, 'sluice_speed_interactions_total')).toBe(200)
      expect(sample(metrics, 'sluice_speed_applied_total')).toBe(200)
      expect(sample(metrics, 'sluice_speed_malformed_total')).toBe(1)
      // Only the all-interactions stream is registered: one match per interaction.
      expect(sample(metrics, 'sluice_speed_matches_total')).toBe(200)
      expect(sample(metrics, 'sluice_speed_streams')).toBe(1)
      // The one process writes every route (a lease it let lapse, under a loaded machine, it
      // takes back in the same round), without a refused commit.
      await until(
        'the process to hold every route',
        async () =>
          sample(await (await fetch(`${url}/metrics`)).text(), 'sluice_speed_routes_owned') === 3,
        30_000,
      )
      expect(sample(metrics, 'sluice_speed_conflicts_total')).toBe(0)
      const health = await fetch(`${url}/health`)
      expect(health.status).toBe(200)
      expect(await health.json()).toMatchObject({
        status: 'ok',
        checks: { store: { status: 'ok' }, watermark: { status: 'ok' } },
      })
      expect((await fetch(`${url}/nope`)).status).toBe(404)
    } finally {
      child.kill('SIGTERM')
      await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)))
    }
    // The store was split into 3 routes: asking for 4 is refused, saying why.
    const refused = spawnSync(
      process.execPath,
      [SLUICE, ...args, '--speed-store', speedStore, '--routes', '4'],
      { encoding: 'utf8', timeout: 60_000 },
    )
    expect(refused.status).not.toBe(0)
    expect(refused.stderr).toMatch(/split into 3 routes, not 4/)
  }, 120_000)

  it('stops on SIGTERM even when its queue has gone away', async () => {
    const own = await startRedis()
    const child = spawn(
      process.execPath,
      [
        SLUICE,
        'speed',
        '--store',
        `file://${dir.path}/store2`,
        '--queue',
        own.url,
        '--speed-store',
        `level://${dir.path}/speed2`,
        '--http',
        '127.0.0.1:0',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    )
    await stderrMatch(child, /serving http/)
    await own.process.kill()
    let said = ''
    child.stderr.on('data', (b: Buffer) => (said += b.toString('utf8')))
    const exited = new Promise<number | null>((r) => child.once('exit', r))
    child.kill('SIGTERM')
    // It stops: cleanly if its connections had not noticed yet, else once it gives up on them
    // (after its 15 s deadline), saying so.
    const code = await Promise.race([exited, sleep(60_000).then(() => 'still running')])
    expect(code).toBe(0)
    if (!said.includes('stopping without a clean close')) expect(said).not.toMatch(/failed|Error/)
  }, 120_000)
})
