import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { LogHandoff, RawLog, listSegmentFiles, type RecordSlice } from '../collectors/index.js'
import { MemoryJobQueue } from '../infra/adapters/queue/memory-queue-adapter.js'
import { readEnvelope, type HandoffJob } from '../schemas/index.js'
import { dataLines } from './support/shared-data.js'
import { tempDir } from './support/temp-dir.js'
import { until } from './support/until.js'

const slices = (lines: readonly string[]): RecordSlice[] =>
  lines.map((l) => {
    const bytes = Buffer.from(l)
    return { bytes, start: 0, end: bytes.length }
  })

/** An in-process queue whose consumer collects the records of every job, in order. */
function collecting() {
  const queue = new MemoryJobQueue<HandoffJob>()
  const received: string[] = []
  const consumer = queue.consume(async (job) => {
    for (const line of job.data.lines) received.push(readEnvelope(line).record)
    return Promise.resolve()
  })
  return { queue, received, consumer }
}

describe('LogHandoff', () => {
  const tmp = tempDir('handoff')
  afterAll(() => tmp.remove())
  const tweets = dataLines('twitter-v1-sample.jsonl.gz').slice(0, 900)

  it('tails the open segment, finishes it once sealed, and resumes from its cursor', async () => {
    const dir = tmp.path
    const log = await RawLog.open({ dir, collector: 't1', maxSegmentAgeMs: 3_600_000 })
    const { queue, received, consumer } = collecting()
    const handoff = new LogHandoff({
      logDir: dir,
      collector: 't1',
      queue,
      recordsPerJob: 250,
      pollMs: 20,
      writtenBytes: (key) => log.writtenBytes(key),
    })
    handoff.start()
    const now = Date.now()
    await log.append('raw', 'twitter-v1', now, slices(tweets.slice(0, 300)))
    await until('the first batch, from the open segment', () => received.length === 300)
    expect((await listSegmentFiles(dir)).map((f) => f.state)).toEqual(['open'])
    await log.append('raw', 'twitter-v1', now, slices(tweets.slice(300, 600)))
    await until('the second batch', () => received.length === 600)
    expect(handoff.isHandedOff(0)).toBe(false)

    // Appended but not yet tailed when the segment is sealed: the sealed file supplies the rest.
    await handoff.stop()
    await log.append('raw', 'twitter-v1', now, slices(tweets.slice(600, 900)))
    await log.close()
    const again = new LogHandoff({ logDir: dir, collector: 't1', queue, recordsPerJob: 250 })
    await again.drain()
    await until('the third batch', () => received.length === 900)
    expect(received).toEqual(tweets)
    expect(again.isHandedOff(0)).toBe(true)
    // A third start finds nothing left to send.
    const third = new LogHandoff({ logDir: dir, collector: 't1', queue })
    await third.drain()
    await sleep(50)
    expect(received.length).toBe(900)
    await consumer.close()
  })

  it('never hands a segment off twice while its sealed file waits on disk for upload', async () => {
    const dir = `${tmp.path}/kept`
    // Small segments: the log rotates while the hand-off runs, and with no uploader here the
    // handed-off sealed files stay on disk, as they do while an upload is slow.
    const log = await RawLog.open({
      dir,
      collector: 't2',
      maxSegmentBytes: 200_000,
      maxSegmentAgeMs: 3_600_000,
    })
    const { queue, received, consumer } = collecting()
    const handoff = new LogHandoff({
      logDir: dir,
      collector: 't2',
      queue,
      recordsPerJob: 50,
      pollMs: 10,
      writtenBytes: (key) => log.writtenBytes(key),
    })
    handoff.start()
    const now = Date.now()
    for (let at = 0; at < 900; at += 60) {
      await log.append('raw', 'twitter-v1', now, slices(tweets.slice(at, at + 60)))
      await until(`${at + 60} records handed off`, () => received.length >= at + 60)
      await sleep(30)
    }
    await log.close()
    await handoff.drain()
    await sleep(100)
    await handoff.stop()
    await consumer.close()
    expect((await listSegmentFiles(dir)).length).toBeGreaterThan(2)
    expect(received.length).toBe(900)
    expect(received).toEqual(tweets)
  })
})
