import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { openJobQueue } from '../infra/adapters/open-job-queue.js'
import { startCollector, type RunningCollector } from '../infra/collect/collector-service.js'
import { parseQueueUrl } from '../infra/config/adapter-urls.js'
import type { LaunchedProcess } from '../infra/launchers/launched-process.js'
import { startRedis } from '../infra/launchers/redis-launcher.js'
import { HANDOFF_QUEUE, type HandoffJob } from '../schemas/index.js'
import { readEnvelope } from '../schemas/index.js'
import type { QueueConsumer } from '../schemas/ports/index.js'
import { batchesOf, postAll, tweetId } from './support/ingest-client.js'
import { dataLines } from './support/shared-data.js'
import { tempDir } from './support/temp-dir.js'
import { until } from './support/until.js'

describe('a queue (Redis) outage under load', () => {
  const tmp = tempDir('queue-outage')
  let redis: { process: LaunchedProcess; url: string } | undefined
  let collector: RunningCollector | undefined
  let consumer: QueueConsumer | undefined
  afterAll(async () => {
    // After a failure Redis may be down, and closing clients of it can wait forever.
    const within = (p: Promise<unknown> | undefined) =>
      Promise.race([p?.catch(() => undefined), sleep(10_000)])
    await within(consumer?.close())
    await within(collector?.stop())
    await redis?.process.stop()
    tmp.remove()
  })

  it('never blocks ingestion, and the hand-off catches up from the log when Redis is back', async () => {
    redis = await startRedis()
    const port = Number(new URL(redis.url).port)
    const queueConfig = parseQueueUrl('queue', `${redis.url}?prefix=qo&lock_ms=2000`)
    collector = await startCollector(
      {
        collector: 'q1',
        logDir: `${tmp.path}/log`,
        store: { kind: 'file', path: `${tmp.path}/store` },
        queue: queueConfig,
        http: { host: '127.0.0.1', port: 0 },
        maxSegmentAgeMs: 200,
        handoffRetryMaxMs: 500,
      },
      () => undefined,
    )
    const c = collector
    // The speed layer's side: a consumer of the hand-off queue.
    const handed = new Set<string>()
    const queue = openJobQueue<HandoffJob>(queueConfig, HANDOFF_QUEUE)
    consumer = queue.consume(async (job) => {
      for (const line of job.data.lines) handed.add(tweetId(readEnvelope(line).record))
      return Promise.resolve()
    })

    const tweets = dataLines('twitter-v1-sample.jsonl.gz').slice(0, 6000)
    const batches = batchesOf(tweets, 100)
    const url = c.url ?? ''
    const before = await postAll(() => url, 'twitter-v1', batches.slice(0, 20), { workers: 2 })
    await until('phase one handed off', () => [...before.acked].every((id) => handed.has(id)))

    await redis.process.kill()
    const during = await postAll(() => url, 'twitter-v1', batches.slice(20, 45), { workers: 2 })
    expect(during.refused).toBe(0)
    await until(
      'the hand-off to notice, with sealed segments waiting',
      () =>
        c.handoff !== undefined &&
        c.handoff.getStats().failures > 0 &&
        c.handoff.getStats().behind > 0,
    )

    redis = await startRedis({ port })
    const after = await postAll(() => url, 'twitter-v1', batches.slice(45, 60), { workers: 2 })
    await c.log.sealAll()
    const acked = [...before.acked, ...during.acked, ...after.acked]
    await until('every acknowledged record handed off', () => acked.every((id) => handed.has(id)))
    expect(acked.length).toBe(new Set(tweets.map(tweetId)).size)
    await queue.close()
  })
})
