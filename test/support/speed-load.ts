import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { expect } from 'vitest'
import { aggregateInteractions } from '../../batch/index.js'
import { openJobQueue } from '../../infra/adapters/open-job-queue.js'
import { parseQueueUrl } from '../../infra/config/adapter-urls.js'
import { FilterSet, StreamCatalog } from '../../query-dsl/index.js'
import {
  augment,
  envelopePrefix,
  HANDOFF_QUEUE,
  normalizeLine,
  SPEED_GRANULARITIES,
  VIEWS,
  type HandoffJob,
  type Interaction,
  type TopSummary,
} from '../../schemas/index.js'
import type { JobQueue, ObjectStore, SpeedStore } from '../../schemas/ports/index.js'
import { routeQueueName, SpeedViews, type RouteBatch } from '../../speed/index.js'
import { REPO_ROOT, dataLines } from './shared-data.js'
import { until } from './until.js'
import { canonicalAggregates, servedRows } from './view-oracle.js'

const SLUICE = join(REPO_ROOT, 'dist/infra/bin/sluice.js')
const tweets = dataLines('twitter-v1-sample.jsonl.gz').slice(0, 2400)

/**
 * Hand-off jobs of 40 lines of one segment; every fifth job also repeats 10 records of the one
 * before under new envelopes (a record received twice, as from two connections).
 */
export const SPEED_JOBS: { id: string; data: HandoffJob }[] = Array.from({ length: 60 }, (_, j) => {
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

/** A `sluice speed` process on these adapters (stderr piped, for the test to read). */
export function startSpeedProcess(
  args: { store: string; queue: string; speedStore: string; routes: number },
  extra: readonly string[] = [],
): ChildProcess {
  return spawn(
    process.execPath,
    [
      SLUICE,
      'speed',
      ...['--store', args.store, '--queue', args.queue, '--speed-store', args.speedStore],
      ...['--routes', String(args.routes), '--workers', '3', '--flush-ms', '20'],
      ...['--refresh-ms', '500', ...extra],
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
}

/** The hand-off queue and every route's queue of a speed layer on `queueUrl`. */
export function speedQueues(queueUrl: string, routes: number) {
  const config = parseQueueUrl('queue', queueUrl)
  const handoff = openJobQueue<HandoffJob>(config, HANDOFF_QUEUE)
  const routeQueues: JobQueue<RouteBatch>[] = Array.from({ length: routes }, (_, r) =>
    openJobQueue<RouteBatch>(config, routeQueueName(r)),
  )
  const all = [handoff, ...routeQueues] as const
  return {
    handoff,
    /** Waits until every job was handled, and none failed for good. */
    async drained(): Promise<void> {
      for (const q of all)
        await until(
          `${q.location} to drain`,
          async () => {
            const c = await q.counts()
            return c.waiting + c.active + c.delayed === 0
          },
          120_000,
        )
      for (const q of all) expect((await q.counts()).failed).toBe(0)
    },
    async close(): Promise<void> {
      await Promise.all(all.map((q) => q.close()))
    },
  }
}

function distinctInteractions(): Interaction[] {
  const byId = new Map<string, Interaction>()
  for (const line of tweets) {
    const o = normalizeLine(line, 'twitter-v1')
    if (o.kind !== 'interactions') continue
    for (const i of o.interactions) byId.set(i.interaction?.id ?? '', augment(i))
  }
  return [...byId.values()]
}

/** Every speed view equals a fold of the distinct interactions of {@link SPEED_JOBS}. */
export async function expectSpeedViewsFold(
  objects: ObjectStore,
  speedStore: SpeedStore,
  routes: number,
): Promise<void> {
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
  const speedViews = new SpeedViews(speedStore, VIEWS, routes)
  const got = await servedRows(
    (q) => speedViews.range(q),
    definitions.map((d) => d.hash),
    VIEWS,
    SPEED_GRANULARITIES,
  )
  expect(want.size).toBeGreaterThan(500)
  expect(got).toEqual(want)
}
