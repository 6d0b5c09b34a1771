/*
 * bench/serve: issue 8's figures. A store with 30 days of the replayed Twitter sample shredded
 * and published as batch views, the last hours also in the speed layer (LevelDB), served by a
 * `sluice serve` process; autocannon (50 connections) sends one query over and over:
 *
 *   1. a 30-day hourly timeseries of one stream (720 buckets, batch and speed merged);
 *   2. the top 10 hashtags of that stream over the same 30 days;
 *
 * once with the API's response cache (a key's answer reused for a second, the default) and
 * once computing every answer (--response-cache-ms 0), printing requests/s and latency
 * p50/p99 against the issue's target (p99 < 20 ms at ≥ 4,000 req/s for the timeseries).
 *
 *   npm run build && npm run bench:serve -- [--records 300000] [--seconds 10] [--connections 50]
 */
import { mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { startSluiceServe } from './sluice-serve.js'
import autocannon from 'autocannon'
import { runBatchJob, type BatchTask } from '../batch/index.js'
import { envelopePrefix } from '../schemas/index.js'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { openJobQueue } from '../infra/adapters/open-job-queue.js'
import { LevelSpeedStore } from '../infra/adapters/speed-store/level-speed-store.js'
import { LevelShardStore } from '../infra/adapters/view-shards/level-shard-store.js'
import { freePort } from '../infra/launchers/free-port.js'
import { ALL_INTERACTIONS_CSDL, StreamCatalog } from '../query-dsl/index.js'
import { VIEWS } from '../schemas/index.js'
import { ApiKeys } from '../serving/index.js'
import { speedRoutes, SpeedWorker, WatchedStreams } from '../speed/index.js'
import { monthOfMaster } from './month-of-master.js'
import { replayedRecords } from './replayed-firehose.js'

const TARGET_RPS = 4000
const TARGET_P99_MS = 20
const HOUR = 3_600_000
const DAY = 24 * HOUR

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '300000' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    data: { type: 'string', default: join(process.cwd(), '..', 'shared', 'data') },
    keep: { type: 'boolean', default: false },
  },
})
const records = Number(values.records)
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
const dir = join(tmpdir(), `sluice-bench-serve-${process.pid}`)
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })

// 30 days up to two hours ago in the master dataset and batch views.
const now = Date.now()
const store = new LocalDirObjectStore(join(dir, 'store'))
const t0 = performance.now()
await monthOfMaster(store, { dataDir: values.data, records, now })
const catalog = new StreamCatalog(store)
const keys = new ApiKeys(store)
const { key, record } = await keys.create('bench')
const stream = (await catalog.create(ALL_INTERACTIONS_CSDL, 'everything', record.id)).hash
const batchQueue = openJobQueue<BatchTask>({ kind: 'memory' }, 'batch')
const report = await runBatchJob({
  store,
  queue: batchQueue,
  shardStore: new LevelShardStore(),
  views: VIEWS,
  workers: 2,
  workDir: join(dir, 'work'),
})
await batchQueue.close()

// The hours after the watermark in the speed layer, as `sluice speed` would have them.
const speedStore = await LevelSpeedStore.open(join(dir, 'speed'))
const routes = await speedRoutes(speedStore)
const streams = new WatchedStreams(catalog)
await streams.refresh()
const worker = new SpeedWorker({
  store: speedStore,
  views: VIEWS,
  routes,
  ttlSeconds: 48 * 3600,
  flushMs: 20,
  streams: () => streams.set,
  watermark: () => report.version.watermark,
})
const recent = [
  ...replayedRecords({
    dataDir: values.data,
    records: 20_000,
    start: report.version.watermark,
    windowMs: now - report.version.watermark,
    firstCopy: 900,
  }),
]
for (let n = 0; n < recent.length; n += 1000)
  await worker.handle(`bench-0-${n}`, {
    lines: recent
      .slice(n, n + 1000)
      .map(
        (r, k) =>
          `${envelopePrefix('twitter-v1', new Date().toISOString(), 'bench', 0, n + k, undefined)}${r}}`,
      ),
  })
await worker.drain()
await speedStore.close()
console.log(
  `bench/serve — ${fmt(records)} replayed tweets over 30 days in batch views (version ${report.version.version}, watermark ${new Date(report.version.watermark).toISOString()}), ${fmt(worker.metrics.applied)} after it in the speed layer; prepared in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
)

const from = new Date(Math.floor(now / HOUR) * HOUR - 30 * DAY + HOUR).toISOString()
const to = new Date(Math.floor(now / HOUR) * HOUR + HOUR).toISOString()
const queries = {
  'timeseries, 30 days hourly': `{ stream(hash: "${stream}") { timeseries(from: "${from}", to: "${to}", granularity: HOUR) { coverage { watermark batchRows speedRows } points { at count } } } }`,
  'top 10 hashtags, 30 days': `{ stream(hash: "${stream}") { top(dimension: HASHTAGS, from: "${from}", to: "${to}", k: 10) { coverage { batchRows speedRows } entries { value count } } } }`,
}
type Figures = Record<string, { rps: number; p50: number; p99: number }>

/** Both queries under load against one `sluice serve` reusing answers for `cacheMs`. */
async function measure(cacheMs: number): Promise<Figures> {
  const port = await freePort()
  const server = await startSluiceServe([
    '--store',
    `file://${join(dir, 'store')}`,
    '--speed-store',
    `level://${join(dir, 'speed')}`,
    '--http',
    `127.0.0.1:${port}`,
    '--cache-dir',
    join(dir, `cache-${cacheMs}`),
    // One key makes every request here: the per-key limit is not what is measured.
    '--rate-limit',
    '1000000',
    '--max-concurrent',
    '1000000',
    '--response-cache-ms',
    String(cacheMs),
  ])
  const url = `http://127.0.0.1:${port}/graphql`
  const headers = { 'content-type': 'application/json', 'x-api-key': key }
  const figures: Figures = {}
  console.log(
    `\nsluice serve ${cacheMs > 0 ? `reusing a key's answer for ${cacheMs} ms (the default)` : 'with --response-cache-ms 0 (every answer computed)'}`,
  )
  for (const [label, query] of Object.entries(queries)) {
    const body = JSON.stringify({ query })
    const check = (await (await fetch(url, { method: 'POST', headers, body })).json()) as {
      errors?: unknown
      data?: unknown
    }
    if (check.errors !== undefined) throw new Error(`${label}: ${JSON.stringify(check.errors)}`)
    const answer = JSON.stringify(check.data)
    const result = await autocannon({
      url,
      method: 'POST',
      headers,
      body,
      connections: Number(values.connections),
      duration: Number(values.seconds),
    })
    figures[label] = {
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
    }
    console.log(
      `${label}: ${fmt(result.requests.average)} req/s; latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms; ${result.non2xx} non-2xx, ${result.errors} errors (${values.connections} connections, ${values.seconds} s)`,
    )
    console.log(`   answer: ${answer.length} bytes, ${answer.slice(0, 160)}…`)
  }
  server.kill('SIGTERM')
  await new Promise((r) => server.once('exit', r))
  return figures
}

const cached = await measure(1000)
const uncached = await measure(0)
const speedup = (label: string): string =>
  `${((cached[label]?.rps ?? 0) / (uncached[label]?.rps ?? 1)).toFixed(1)}×`
console.log(
  `\nresponse cache: timeseries ${speedup('timeseries, 30 days hourly')}, top ${speedup('top 10 hashtags, 30 days')} the requests/s of computing every answer`,
)

const ts = cached['timeseries, 30 days hourly'] as { rps: number; p50: number; p99: number }
console.log('\ntargets')
console.log(
  `   30-day hourly timeseries: p99 < ${TARGET_P99_MS} ms at >= ${fmt(TARGET_RPS)} req/s: ${ts.p99} ms at ${fmt(ts.rps)} req/s — ${ts.p99 < TARGET_P99_MS && ts.rps >= TARGET_RPS ? 'MET' : 'NOT MET'}`,
)
if (values.keep) console.log(`kept ${dir}`)
else rmSync(dir, { recursive: true, force: true })
