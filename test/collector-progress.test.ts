import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { retimedTweet } from '../collectors/index.js'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { startCollector, type RunningCollector } from '../infra/collect/collector-service.js'
import { readCollectorProgress, type CollectorProgress } from '../schemas/index.js'
import { receivedThroughOf } from '../shredder/index.js'
import { dataLines } from './support/shared-data.js'
import { tempDir } from './support/temp-dir.js'
import { until } from './support/until.js'

const MINUTE = 60_000
const marker = (
  collector: string,
  sealedThrough: number,
  writtenAt: number,
): CollectorProgress => ({
  collector,
  sealedThrough,
  writtenAt,
})

describe('the receipt boundary', () => {
  const now = Date.parse('2026-12-07T12:00:00Z')

  it('is the least mark of the live collectors, ignoring dead ones', () => {
    const markers = [
      marker('a', now - 2 * MINUTE, now - 10_000),
      marker('b', now - 30_000, now - 5_000),
      // Silent for an hour: taken for dead, it no longer holds the boundary back.
      marker('dead', now - 3 * 60 * MINUTE, now - 60 * MINUTE),
    ]
    expect(receivedThroughOf(undefined, markers, -Infinity, now)).toBe(now - 2 * MINUTE)
    expect(
      receivedThroughOf(undefined, markers, -Infinity, now, {
        collectorTimeoutMs: 2 * 60 * MINUTE,
      }),
    ).toBe(now - 3 * 60 * MINUTE)
  })

  it('never goes backwards, never passes the clock, and without markers trusts the raw log as stored', () => {
    const early = [marker('a', now - 10 * MINUTE, now)]
    expect(receivedThroughOf(now - 5 * MINUTE, early, -Infinity, now)).toBe(now - 5 * MINUTE)
    expect(receivedThroughOf(undefined, [marker('a', now + MINUTE, now)], -Infinity, now)).toBe(now)
    expect(receivedThroughOf(undefined, [], now - 7 * MINUTE, now)).toBe(now - 7 * MINUTE)
    // A receipt time read from a raw line cannot pass the clock either.
    expect(receivedThroughOf(undefined, [], now + 60 * MINUTE, now)).toBe(now)
    expect(receivedThroughOf(undefined, [], -Infinity, now)).toBeUndefined()
  })
})

describe('a collector reporting how far it has sealed and uploaded', () => {
  const dir = tempDir('collector-progress')
  const store = new LocalDirObjectStore(`${dir.path}/store`)
  let collector: RunningCollector | undefined
  afterAll(async () => {
    await collector?.stop()
    dir.remove()
  })

  const mark = async (): Promise<number> =>
    (await readCollectorProgress(store)).find((p) => p.collector === 'p1')?.sealedThrough ??
    -Infinity

  it('holds its mark before records still in an open segment, and moves it with the clock while idle', async () => {
    const c = await startCollector(
      {
        collector: 'p1',
        logDir: `${dir.path}/log`,
        store: { kind: 'file', path: `${dir.path}/store` },
        http: { host: '127.0.0.1', port: 0 },
        // Long enough that the segment stays open while the test watches the mark.
        maxSegmentAgeMs: 10 * MINUTE,
        processMetrics: false,
      },
      () => undefined,
    )
    collector = c
    await until('a first mark while idle', async () => (await mark()) > -Infinity)
    const idle = await mark()
    await until('the idle mark to follow the clock', async () => (await mark()) > idle + 1500)

    const lines = dataLines('twitter-v1-sample.jsonl.gz')
      .slice(0, 20)
      .map((l, n) => retimedTweet(l, Date.now(), n))
    const sentAt = Date.now()
    const response = await fetch(`${c.url ?? ''}/v1/ingest/twitter-v1`, {
      method: 'POST',
      body: `${lines.join('\n')}\n`,
    })
    expect(response.status).toBe(202)
    // Passes of the uploader go on (one a second); the open segment holds the mark back.
    await sleep(3000)
    expect(await mark()).toBeLessThan(sentAt)
    await c.log.sealAll()
    await until('the mark to pass the records once uploaded', async () => (await mark()) > sentAt)
  }, 60_000)
})
