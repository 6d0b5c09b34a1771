import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BatchViews } from '../batch/index.js'
import { retimedTweet } from '../collectors/index.js'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { LevelSpeedStore } from '../infra/adapters/speed-store/level-speed-store.js'
import { LevelShardStore } from '../infra/adapters/view-shards/level-shard-store.js'
import { FilterSet, StreamCatalog } from '../query-dsl/index.js'
import {
  augment,
  bucketStart,
  envelopePrefix,
  nextBucket,
  normalizeLine,
  rawSegmentKey,
  VIEWS,
} from '../schemas/index.js'
import { MergedViews, StreamAnalytics } from '../serving/index.js'
import { shred } from '../shredder/index.js'
import { SpeedViews, SpeedWorker } from '../speed/index.js'
import { runMemoryBatch } from './support/memory-batch.js'
import { dataLines } from './support/shared-data.js'
import { tempDir } from './support/temp-dir.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const ROUTES = 4
const T0 = Date.parse('2026-11-20T00:07:00Z')
const sample = dataLines('twitter-v1-sample.jsonl.gz').slice(0, 2000)

type Kind = 'onTime' | 'outOfOrder' | 'late' | 'future' | 'duplicate'

interface RoundPlan {
  /** Minutes the clock moves before the round. */
  readonly advance: number
  readonly records: readonly { readonly kind: Kind; readonly offset: number }[]
  /** The speed layer gets the round's job twice (a redelivery). */
  readonly redeliver: boolean
  /** Shred and publish a batch version after the round. */
  readonly batchAfter: boolean
}

const roundPlan: fc.Arbitrary<RoundPlan> = fc.record({
  advance: fc.integer({ min: 5, max: 90 }),
  records: fc.array(
    fc.record({
      kind: fc.constantFrom<Kind>('onTime', 'onTime', 'outOfOrder', 'late', 'future', 'duplicate'),
      offset: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
    { minLength: 1, maxLength: 40 },
  ),
  redeliver: fc.boolean(),
  batchAfter: fc.boolean(),
})

interface Received {
  readonly id: string
  readonly createdAt: number
  readonly author: string
  readonly line: string
}

/** A record's creation time for its kind, relative to its receipt. */
function createdFor(kind: Kind, receipt: number, offset: number): number {
  switch (kind) {
    case 'outOfOrder':
      return receipt - Math.round(offset * 40 * MINUTE)
    case 'late':
      return receipt - 2 * HOUR - Math.round(offset * 70 * HOUR)
    case 'future':
      // Past the shredder's and speed layer's tolerance (5 minutes) by 10 minutes to years.
      return receipt + 10 * MINUTE + Math.round(offset * 5 * 365 * 24 * HOUR)
    default:
      return receipt - Math.round(offset * 5000)
  }
}

async function runScenario(plan: readonly RoundPlan[], run: number): Promise<void> {
  const dir = tempDir(`lambda-boundary-${run}`)
  const store = new LocalDirObjectStore(`${dir.path}/store`)
  const speedStore = await LevelSpeedStore.open(`${dir.path}/speed`)
  const batch = new BatchViews(store, new LevelShardStore(), `${dir.path}/cache`, VIEWS)
  try {
    const catalog = new StreamCatalog(store)
    await catalog.create('interaction.type == "twitter"', 'all', 'p')
    await catalog.create('language.tag == "en"', 'english', 'p')
    const definitions = await catalog.definitions()
    const set = new FilterSet()
    for (const d of definitions) set.add(d)
    let watermark = -Infinity
    const worker = new SpeedWorker({
      store: speedStore,
      views: VIEWS,
      routes: ROUTES,
      ttlSeconds: 30 * 24 * 3600,
      flushMs: 2,
      streams: () => set,
      watermark: () => watermark,
    })
    const analytics = new StreamAnalytics(
      new MergedViews(batch, new SpeedViews(speedStore, VIEWS, ROUTES), VIEWS),
    )
    // What every stream holds of a record, as both layers normalize it.
    const matchesOf = new Map<string, readonly string[]>()
    const received = new Map<string, Received>()
    let inMaster = new Map<string, Received>()
    const sent: Received[] = []
    let clock = T0
    let next = 0

    const check = async (when: string): Promise<void> => {
      const from = bucketStart(T0 - 80 * HOUR, 'hour')
      const to = nextBucket(bucketStart(clock, 'hour'), 'hour')
      for (const d of definitions) {
        const expected = new Map<number, number>()
        const authors = new Set<string>()
        for (const r of received.values()) {
          if (!(matchesOf.get(r.id) ?? []).includes(d.hash)) continue
          const hour = bucketStart(r.createdAt, 'hour')
          // Before the watermark: batch, holding what the master dataset held at its run.
          if (hour < watermark && !inMaster.has(r.id)) continue
          expected.set(hour, (expected.get(hour) ?? 0) + 1)
          authors.add(r.author)
        }
        const series = await analytics.timeseries({
          stream: d.hash,
          from,
          to,
          granularity: 'hour',
        })
        expect(
          new Map(series.points.filter((p) => p.count > 0).map((p) => [p.at, p.count])),
          `${d.hash.slice(0, 8)} ${when}`,
        ).toEqual(expected)
        const uniques = await analytics.uniqueAuthors({ stream: d.hash, from, to })
        expect(
          Math.abs(uniques.estimate - authors.size),
          `${d.hash.slice(0, 8)} ${when}`,
        ).toBeLessThanOrEqual(Math.max(2, authors.size * 0.03))
      }
    }

    const publish = async (at: number): Promise<void> => {
      await shred({ store, compact: false, now: () => new Date(at) })
      const report = await runMemoryBatch(store, `${dir.path}/work`)
      watermark = report.version.watermark
      // Never past what was received.
      expect(watermark).toBeLessThanOrEqual(at)
      inMaster = new Map(received)
      await batch.refresh()
    }

    for (const [round, step] of plan.entries()) {
      clock += step.advance * MINUTE
      const lines: string[] = []
      for (const [k, r] of step.records.entries()) {
        const receipt = clock + k * 1000
        let record: Received
        const previous = sent[Math.floor(r.offset * sent.length)]
        if (r.kind === 'duplicate' && previous !== undefined) record = previous
        else {
          const n = next++
          const createdAt = createdFor(r.kind, receipt, r.offset)
          const line = retimedTweet(
            sample[n % sample.length] as string,
            createdAt,
            run * 10 + Math.floor(n / sample.length),
          )
          const outcome = normalizeLine(line, 'twitter-v1')
          if (outcome.kind !== 'interactions') throw new Error(`sample line ${n} did not normalize`)
          const i = outcome.interactions[0]
          record = {
            id: i?.interaction?.id ?? '',
            createdAt,
            author: i?.interaction?.author?.username ?? '',
            line,
          }
          if (r.kind !== 'future') sent.push(record)
        }
        lines.push(
          `${envelopePrefix('twitter-v1', new Date(receipt).toISOString(), 'p', round, k, undefined)}${record.line}}`,
        )
        if (r.kind === 'future' && record !== previous) continue
        received.set(record.id, record)
      }
      // The same lines to both layers: the hand-off to speed, the raw segment to the shredder.
      const job = { lines }
      await worker.handle(`p-${round}-0`, job)
      if (step.redeliver) await worker.handle(`p-${round}-0`, job)
      await worker.drain()
      await store.put(
        rawSegmentKey('raw', 'twitter-v1', new Date(clock).toISOString().slice(0, 10), 'p', round),
        gzipSync(`${lines.join('\n')}\n`),
      )
      for (const r of received.values())
        if (!matchesOf.has(r.id)) {
          const outcome = normalizeLine(r.line, 'twitter-v1')
          const i = outcome.kind === 'interactions' ? outcome.interactions[0] : undefined
          matchesOf.set(r.id, i === undefined ? [] : set.match(augment(i)).map((m) => m.hash))
        }
      await check(`after round ${round}`)
      if (step.batchAfter) {
        await publish(clock + 60_000)
        await check(`after round ${round}'s batch run`)
      }
    }
    // Once every record received is shredded, answers are brute force over all of them.
    await publish(clock + 2 * 60_000)
    await check('after a final batch run')
    // Each delivery of a future record is counted, and set aside.
    expect(worker.metrics.future).toBe(
      plan.reduce(
        (n, p) => n + p.records.filter((r) => r.kind === 'future').length * (p.redeliver ? 2 : 1),
        0,
      ),
    )
  } finally {
    await batch.close()
    await speedStore.close()
    dir.remove()
  }
}

describe('the Lambda boundary under random interleavings', () => {
  it('answers every merged query as brute force over what was received', async () => {
    let run = 0
    await fc.assert(
      fc.asyncProperty(fc.array(roundPlan, { minLength: 2, maxLength: 7 }), (plan) =>
        runScenario(plan, run++),
      ),
      { numRuns: 6, endOnFailure: true },
    )
  }, 600_000)
})
