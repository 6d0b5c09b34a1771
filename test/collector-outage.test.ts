import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { openObjectStore } from '../infra/adapters/open-object-store.js'
import { startCollector, type RunningCollector } from '../infra/collect/collector-service.js'
import { parseStoreUrl } from '../infra/config/adapter-urls.js'
import { startS3Server, type S3Server } from '../infra/launchers/s3-server-launcher.js'
import { batchesOf, postAll, tweetId } from './support/ingest-client.js'
import { dataLines } from './support/shared-data.js'
import { storedRecords } from './support/stored-records.js'
import { tempDir } from './support/temp-dir.js'

describe('an object store outage under load', () => {
  const tmp = tempDir('outage')
  let s3: S3Server | undefined
  let collector: RunningCollector | undefined
  afterAll(async () => {
    await collector?.stop().catch(() => undefined)
    await s3?.process.stop()
    tmp.remove()
  })

  it('goes on ingesting into the local log and uploads every segment once S3 is back', async () => {
    s3 = await startS3Server({ directory: `${tmp.path}/s3`, bucket: 'sluice' })
    const server = s3
    collector = await startCollector(
      {
        collector: 'o1',
        logDir: `${tmp.path}/log`,
        store: parseStoreUrl('store', server.url('outage/')),
        http: { host: '127.0.0.1', port: 0 },
        maxSegmentAgeMs: 200,
        uploadRetryMaxMs: 500,
      },
      () => undefined,
    )
    const c = collector
    const url = c.url ?? ''
    const tweets = dataLines('twitter-v1-sample.jsonl.gz').slice(0, 9000)
    const batches = batchesOf(tweets, 100)
    const phase = (from: number, to: number) =>
      postAll(() => url, 'twitter-v1', batches.slice(from, to), { workers: 2 })

    const before = await phase(0, 20)
    await server.process.kill()
    // While S3 is down: every batch is still acknowledged, segments pile up locally.
    const during = await phase(20, 60)
    await sleep(1500)
    const down = c.uploader.getStats()
    expect(down.failures).toBeGreaterThan(0)
    expect(down.waiting).toBeGreaterThan(0)
    expect(during.refused).toBe(0)
    const health = (await (await fetch(`${url}/health`)).json()) as {
      checks: { upload_lag: { detail: string } }
    }
    expect(health.checks.upload_lag.detail).toMatch(/segments \(\d+ bytes\) wait for upload/)

    await server.restart()
    const after = await phase(60, 90)
    await c.log.sealAll()
    await c.uploader.drain()
    expect(c.uploader.getStats().waiting).toBe(0)

    const stored = await storedRecords(
      openObjectStore(parseStoreUrl('store', server.url('outage/'))),
    )
    const ids = new Set([...stored.values()].flat().map(tweetId))
    const acked = [...before.acked, ...during.acked, ...after.acked]
    expect(acked.length).toBe(new Set(tweets.map(tweetId)).size)
    expect(acked.filter((id) => !ids.has(id))).toEqual([])
    expect(c.uploader.getStats().uploaded).toBe(stored.size)
  })
})
