/*
 * The distributed stack as separate processes — two collectors, two speed processes, a shred, a
 * batch coordinator with two batch workers and two API servers sharing Redis, Cassandra and an
 * S3-protocol server — answers every query exactly as the embedded stack (local directory,
 * LevelDB, in-process queue) given the same interactions.
 */
import type { ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { replayedRecords } from '../bench/replayed-firehose.js'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { LevelSpeedStore } from '../infra/adapters/speed-store/level-speed-store.js'
import { startCassandra, type CassandraServer } from '../infra/launchers/cassandra-launcher.js'
import type { LaunchedProcess } from '../infra/launchers/launched-process.js'
import { startRedis } from '../infra/launchers/redis-launcher.js'
import { startS3Server, type S3Server } from '../infra/launchers/s3-server-launcher.js'
import { startApiService, type ApiService } from '../infra/serve/api-service.js'
import { FilterSet, StreamCatalog } from '../query-dsl/index.js'
import { envelopePrefix, VIEWS } from '../schemas/index.js'
import { ApiKeys } from '../serving/index.js'
import { shred } from '../shredder/index.js'
import { SpeedWorker } from '../speed/index.js'
import { runMemoryBatch } from './support/memory-batch.js'
import { putRawSegment } from './support/raw-segments.js'
import { sharedDataDir } from './support/shared-data.js'
import {
  metricSample,
  runSluice,
  spawnSluice,
  startSluice,
  stopSluice,
} from './support/sluice-process.js'
import { tempDir } from './support/temp-dir.js'
import { until } from './support/until.js'

const HOUR = 3_600_000
const RECORDS = 3000
// Batch sees the first two thirds; the rest reaches only the speed layer.
const BATCHED = 2000
// Recent enough for the speed rows' time to live, starting mid-hour, and all created before
// this hour: the batch watermark, from their receipt now, is this hour or a later one.
const START = Math.floor(Date.now() / HOUR) * HOUR - 50 * HOUR + 17 * 60_000
const WINDOW = 45 * HOUR
const batched = [
  ...replayedRecords({
    dataDir: sharedDataDir(),
    records: BATCHED,
    start: START,
    windowMs: WINDOW,
  }),
]

/** The records after the batch run: created from its watermark on, up to now, as live ones. */
function liveRecords(watermark: number): string[] {
  return [
    ...replayedRecords({
      dataDir: sharedDataDir(),
      records: RECORDS - BATCHED,
      start: watermark,
      windowMs: Math.max(1000, Date.now() - watermark),
      firstCopy: 1,
    }),
  ]
}
const STREAMS = [
  ['english', 'language.tag == "en"'],
  ['tagged', 'interaction.hashtags exists'],
  ['linked', 'links.domain exists or interaction.content contains_any "love, happy, great"'],
] as const

const ANALYTICS = `query($h: ID!, $from: DateTime!, $to: DateTime!, $dayFrom: DateTime!, $dayTo: DateTime!, $mFrom: DateTime!, $mTo: DateTime!) {
  stream(hash: $h) {
    hours: timeseries(from: $from, to: $to, granularity: HOUR) { ...series }
    days: timeseries(from: $dayFrom, to: $dayTo, granularity: DAY, dimension: LANGUAGE) { ...series }
    sentiment: timeseries(from: $dayFrom, to: $dayTo, granularity: DAY, dimension: SENTIMENT) { ...series }
    minutes: timeseries(from: $mFrom, to: $mTo, granularity: MINUTE) { ...series }
    uniqueAuthors(from: $from, to: $to) { coverage { ...coverage } estimate relativeError }
    hashtags: top(dimension: HASHTAGS, from: $from, to: $to, k: 25) { coverage { ...coverage } entries { value count error } }
    mentions: top(dimension: MENTIONS, from: $from, to: $to, k: 25) { coverage { ...coverage } entries { value count error } }
    influencers(from: $from, to: $to, k: 25) { coverage { ...coverage } authors { author interactions retweetsReceived repliesReceived reach } }
    domains(from: $from, to: $to, k: 25) { coverage { ...coverage } domains { domain links uniqueSharers } }
  }
}
fragment coverage on Coverage { watermark batchRows speedRows }
fragment series on Timeseries { coverage { ...coverage } points { at value count source } }`

interface GraphqlAnswer {
  readonly data?: Record<string, unknown> | null
  readonly errors?: readonly { message: string }[]
}

async function ask(
  url: string,
  key: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphqlAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ query, variables }),
  })
  return (await res.json()) as GraphqlAnswer
}

/** Registers the test's streams through the API; returns their hashes in order. */
async function createStreams(url: string, key: string): Promise<string[]> {
  const hashes: string[] = []
  for (const [name, csdl] of STREAMS) {
    const answer = await ask(
      url,
      key,
      'mutation($c: String!, $n: String!) { createStream(csdl: $c, name: $n) { hash } }',
      { c: csdl, n: name },
    )
    expect(answer.errors).toBeUndefined()
    hashes.push((answer.data?.['createStream'] as { hash: string }).hash)
  }
  return hashes
}

const iso = (t: number): string => new Date(t).toISOString()

/** Every stream's analytics over the data's hours, days and the minutes after `watermark`. */
async function analytics(url: string, key: string, hashes: readonly string[], watermark: number) {
  const from = Math.floor(START / HOUR) * HOUR
  // Through the live records, created from the watermark on.
  const to = watermark + 2 * HOUR
  const day = 24 * HOUR
  const answers: Record<string, unknown> = {}
  for (const h of hashes) {
    const answer = await ask(url, key, ANALYTICS, {
      h,
      from: iso(from),
      to: iso(to),
      dayFrom: iso(Math.floor(from / day) * day),
      dayTo: iso(Math.ceil(to / day) * day),
      mFrom: iso(watermark),
      mTo: iso(watermark + 3 * HOUR),
    })
    expect(answer.errors).toBeUndefined()
    answers[h] = answer.data?.['stream']
  }
  return answers
}

/** The embedded stack given the same records: batch over the first BATCHED, speed over all. */
async function embeddedStack(
  dir: string,
  records: readonly string[],
  /** When the batched records were received (so that the watermark is the same hour). */
  batchedReceipt: string,
): Promise<{
  api: ApiService
  key: string
  hashes: string[]
  watermark: number
  close(): Promise<void>
}> {
  const store = new LocalDirObjectStore(`${dir}/store`)
  const speedStore = await LevelSpeedStore.open(`${dir}/speed`)
  const api = await startApiService({
    objects: store,
    speedStore,
    routes: 4,
    cacheDir: `${dir}/api-cache`,
    http: { host: '127.0.0.1', port: 0 },
    refreshMs: 100,
    graphiql: false,
    log: () => undefined,
    // Run from sources there is no built worker module: compile on the test's own thread.
    compileThreads: 0,
  })
  const { key } = await new ApiKeys(store).create('embedded', false)
  const url = `${api.url}/graphql`
  const hashes = await createStreams(url, key)
  const set = new FilterSet()
  for (const s of await new StreamCatalog(store).definitions()) set.add(s)
  const worker = new SpeedWorker({
    store: speedStore,
    views: VIEWS,
    routes: 4,
    ttlSeconds: 48 * 3600,
    flushMs: 5,
    streams: () => set,
    watermark: () => -Infinity,
  })
  const received = iso(Date.now())
  for (let n = 0; n < RECORDS; n += 250)
    await worker.handle(`e-0-${n}`, {
      lines: records
        .slice(n, n + 250)
        .map((r, k) => `${envelopePrefix('twitter-v1', received, 'e', 0, n + k, undefined)}${r}}`),
    })
  await worker.drain()
  await putRawSegment(store, {
    source: 'twitter-v1',
    date: batchedReceipt.slice(0, 10),
    segment: 0,
    records: records.slice(0, BATCHED),
    receivedAt: batchedReceipt,
  })
  await shred({ store, compact: false })
  const report = await runMemoryBatch(store, `${dir}/batch-work`)
  await until('the embedded API to load the batch version', () => api.batch.version > 0)
  return {
    api,
    key,
    hashes,
    watermark: report.version.watermark,
    async close() {
      await api.close()
      await speedStore.close()
    },
  }
}

describe('the distributed stack in separate processes', () => {
  const dir = tempDir('multi-process')
  let redis: { process: LaunchedProcess; url: string } | undefined
  let cassandra: CassandraServer | undefined
  let s3: S3Server | undefined
  const children: ChildProcess[] = []
  beforeAll(async () => {
    ;[redis, cassandra, s3] = await Promise.all([
      startRedis(),
      startCassandra({ directory: `${dir.path}/cassandra` }),
      startS3Server({ directory: `${dir.path}/s3`, bucket: 'sluice' }),
    ])
  }, 240_000)
  afterAll(async () => {
    await Promise.all(children.map(stopSluice))
    await Promise.all([redis?.process.stop(), cassandra?.process.stop(), s3?.process.stop()])
    dir.remove()
  })

  it('answers every query as the embedded stack does for the same input', async () => {
    let embedded: Awaited<ReturnType<typeof embeddedStack>> | undefined
    try {
      const store = (s3 as S3Server).url('stack')
      const queue = (redis as { url: string }).url
      const speedStore = (cassandra as CassandraServer).url('multi')
      const key = (
        await runSluice(['keys', 'create', '--name', 'multi', '--store', store])
      ).stdout.split('\n')[0] as string
      const serve = async (name: string): Promise<string> => {
        const { child, match } = await startSluice(
          [
            'serve',
            ...['--store', store, '--speed-store', speedStore],
            ...[
              '--http',
              '127.0.0.1:0',
              '--refresh-ms',
              '300',
              '--cache-dir',
              `${dir.path}/${name}`,
            ],
          ],
          /"event":"api_listening","url":"([^"]+)"/,
        )
        children.push(child)
        return match[1] as string
      }
      const speed = async (): Promise<string> => {
        const { child, match } = await startSluice(
          [
            'speed',
            ...['--store', store, '--queue', queue, '--speed-store', speedStore],
            ...['--http', '127.0.0.1:0', '--refresh-ms', '300', '--flush-ms', '20'],
          ],
          /serving (http:\/\/\S+)\/health/,
        )
        children.push(child)
        return match[1] as string
      }
      const apis = [await serve('api-a'), await serve('api-b')]
      const hashes = await createStreams(apis[0] as string, key)
      const speeds = [await speed(), await speed()]
      const metric = async (name: string): Promise<number> => {
        let sum = 0
        for (const s of speeds)
          sum += metricSample(await (await fetch(`${s}/metrics`)).text(), name)
        return sum
      }
      // Both speed processes match the three streams and the all-interactions stream.
      await until('the speed processes to read the streams', async () => {
        return (await metric('sluice_speed_streams')) === 2 * (STREAMS.length + 1)
      })

      /** Two collectors play their half of `lines` (alternate records) into S3 and the queue. */
      const collect = async (lines: readonly string[], phase: number): Promise<void> => {
        await Promise.all(
          ['c1', 'c2'].map((collector, c) => {
            const file = `${dir.path}/${collector}-${phase}.jsonl`
            writeFileSync(file, `${lines.filter((_, n) => n % 2 === c).join('\n')}\n`)
            return runSluice([
              'collect',
              ...['--replay', file, '--collector', collector],
              ...['--store', store, '--queue', queue, '--log-dir', `${dir.path}/${collector}-log`],
            ])
          }),
        )
      }
      await collect(batched, 1)
      await runSluice(['shred', '--store', store, '--no-progress'])
      for (let w = 0; w < 2; w++) {
        const child = spawnSluice([
          'batch',
          'worker',
          '--store',
          store,
          '--queue',
          queue,
          '--work-dir',
          `${dir.path}/w${w}`,
        ])
        child.stderr?.resume()
        children.push(child)
      }
      const batch = await runSluice([
        'batch',
        'run',
        ...[
          '--store',
          store,
          '--queue',
          queue,
          '--workers',
          '1',
          '--work-dir',
          `${dir.path}/coordinator`,
        ],
      ])
      const watermark = Date.parse(/watermark: +(\S+)/.exec(batch.stdout)?.[1] ?? '')
      // From what the collectors received: this hour (or the next, if it turned meanwhile).
      expect(watermark).toBeGreaterThan(START + WINDOW)
      expect(watermark).toBeLessThanOrEqual(Date.now())
      const records = [...batched, ...liveRecords(watermark)]
      embedded = await embeddedStack(
        `${dir.path}/embedded`,
        records,
        new Date(watermark + 1000).toISOString(),
      )
      expect(embedded.watermark).toBe(watermark)
      expect(hashes).toEqual(embedded.hashes)
      await collect(records.slice(BATCHED), 2)
      await until(
        'the speed processes to count every interaction',
        async () => (await metric('sluice_speed_interactions_total')) >= RECORDS,
        120_000,
      )

      const want = await analytics(
        `${embedded.api.url}/graphql`,
        embedded.key,
        embedded.hashes,
        watermark,
      )
      // The API servers refresh on their own; wait until both serve the published version.
      let got: Record<string, unknown>[] = []
      await until(
        'both API servers to answer as the embedded stack',
        async () => {
          got = []
          for (const api of apis) got.push(await analytics(api, key, hashes, watermark))
          return got.every((g) => JSON.stringify(g) === JSON.stringify(want))
        },
        60_000,
      ).catch(() => undefined)
      for (const g of got) expect(g).toEqual(want)
      // The answers used both layers: batch before the watermark, speed from it on.
      type Series = { points: { source: string; count: number }[] }
      for (const h of hashes) {
        const answer = want[h] as Record<'hours' | 'days' | 'minutes', Series> & {
          hashtags: { entries: unknown[] }
        }
        const sources = (s: Series): string[] => [...new Set(s.points.map((p) => p.source))].sort()
        expect(sources(answer.hours)).toEqual(['BATCH', 'SPEED'])
        expect(sources(answer.days)).toContain('BOTH')
        expect(answer.minutes.points.length).toBeGreaterThan(0)
        expect(answer.hashtags.entries.length).toBeGreaterThan(0)
      }
      expect(await metric('sluice_speed_duplicates_total')).toBe(0)

      // A replay made through one API server over S3: its chunks come as presigned URLs, and
      // the other server serves the same bytes.
      const made = await ask(
        apis[0] as string,
        key,
        'mutation($s: ID, $from: DateTime!, $to: DateTime!) { createReplay(stream: $s, from: $from, to: $to) { id } }',
        { s: hashes[0], from: iso(START), to: iso(START + WINDOW) },
      )
      expect(made.errors).toBeUndefined()
      const id = (made.data?.['createReplay'] as { id: string }).id
      type Chunk = { url: string; presignedUrl: string | null; sha256: string }
      let replay: { state: string; chunks: Chunk[] } = { state: '', chunks: [] }
      await until('the replay to finish', async () => {
        const r = await ask(
          apis[0] as string,
          key,
          'query($id: ID!) { replay(id: $id) { state chunks { url presignedUrl sha256 } } }',
          { id },
        )
        replay = r.data?.['replay'] as typeof replay
        return replay.state === 'DONE'
      })
      expect(replay.chunks.length).toBeGreaterThan(0)
      const base = (apis[1] as string).replace('/graphql', '')
      for (const chunk of replay.chunks) {
        const signed = Buffer.from(await (await fetch(chunk.presignedUrl as string)).arrayBuffer())
        const served = Buffer.from(
          await (
            await fetch(`${base}${chunk.url}`, { headers: { 'x-api-key': key } })
          ).arrayBuffer(),
        )
        expect(signed.equals(served)).toBe(true)
        expect(createHash('sha256').update(signed).digest('hex')).toBe(chunk.sha256)
      }
    } finally {
      await embedded?.close()
    }
  }, 600_000)
})
