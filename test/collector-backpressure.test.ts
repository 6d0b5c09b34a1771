import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { startCollector, type RunningCollector } from '../infra/collect/collector-service.js'
import { parseStoreUrl } from '../infra/config/adapter-urls.js'
import { freePort } from '../infra/launchers/free-port.js'
import { dataLines } from './support/shared-data.js'
import { tempDir } from './support/temp-dir.js'
import { until } from './support/until.js'

describe('backpressure', () => {
  const tmp = tempDir('backpressure')
  let collector: RunningCollector | undefined
  afterAll(async () => {
    // Stopping tries the dead store a few more times; bounded so cleanup cannot hang.
    await Promise.race([collector?.stop().catch(() => undefined), sleep(15_000)])
    tmp.remove()
  })

  it('answers 503 with Retry-After and stores nothing when the upload backlog is full', async () => {
    // An object store nobody listens on: every sealed segment stays in the backlog.
    const deadPort = await freePort()
    collector = await startCollector(
      {
        collector: 'b1',
        logDir: `${tmp.path}/log`,
        store: parseStoreUrl('store', `s3://nowhere/?endpoint=http://127.0.0.1:${deadPort}`),
        http: { host: '127.0.0.1', port: 0 },
        maxSegmentAgeMs: 100,
        maxBacklogBytes: 1000,
        uploadRetryMaxMs: 200,
      },
      () => undefined,
    )
    const c = collector
    const tweets = dataLines('twitter-v1-sample.jsonl.gz')
    const post = (from: number, to: number) =>
      fetch(`${c.url ?? ''}/v1/ingest/twitter-v1`, {
        method: 'POST',
        body: tweets.slice(from, to).join('\n'),
      })
    expect((await post(0, 50)).status).toBe(202)
    await until(
      'the first segment to fail to upload',
      () => c.uploader.getStats().waitingBytes > 1000 && c.uploader.getStats().failures > 0,
    )
    const before = c.log.getStats().records
    const refused = await post(50, 100)
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('5')
    expect(((await refused.json()) as { error: string }).error).toMatch(/wait for upload/)
    expect(c.log.getStats().records).toBe(before)
    const health = (await (await fetch(`${c.url ?? ''}/health`)).json()) as {
      checks: { upload_lag: { detail: string }; error_rate: { detail: string } }
    }
    expect(health.checks.error_rate.detail).toMatch(/^1 of \d+ requests failed/)
    expect(health.checks.upload_lag.detail).toMatch(/last error:/)
  })
})
