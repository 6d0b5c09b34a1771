/*
 * bench/stack: issue 22's figure. `sluice stack` serves 30 days of the replayed Twitter sample
 * from batch views; while it is idle and again while a batch cycle runs (a backfill of newly
 * registered streams over the whole archive, in the stack's batch process), a steady load of
 * 30-day hourly timeseries (a different range each request, so answers are computed, not
 * reused) is sent and its latency measured. Target: p99 during the batch cycle within 2× of
 * idle. The last line states both.
 *
 *   npm run build && npm run bench:stack -- [--records 300000] [--streams 20] [--rate 50] [--seconds 10]
 */
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { runBatchJob, type BatchTask } from '../batch/index.js'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { openJobQueue } from '../infra/adapters/open-job-queue.js'
import { LevelShardStore } from '../infra/adapters/view-shards/level-shard-store.js'
import { freePort } from '../infra/launchers/free-port.js'
import { ALL_INTERACTIONS_CSDL, StreamCatalog } from '../query-dsl/index.js'
import { VIEWS } from '../schemas/index.js'
import { ApiKeys } from '../serving/index.js'
import { monthOfMaster } from './month-of-master.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const TARGET_RATIO = 2

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '300000' },
    streams: { type: 'string', default: '20' },
    rate: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
    data: { type: 'string', default: join(process.cwd(), '..', 'shared', 'data') },
  },
})
const records = Number(values.records)
const seconds = Number(values.seconds)
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
const SLUICE = join(process.cwd(), 'dist/infra/bin/sluice.js')
const dir = join(tmpdir(), `sluice-bench-stack-${process.pid}`)
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })

// 30 days in the master dataset and a first batch version, as a stack that ran for a month has.
const now = Date.now()
const store = new LocalDirObjectStore(join(dir, 'store'))
const t0 = performance.now()
await monthOfMaster(store, { dataDir: values.data, records, now })
const catalog = new StreamCatalog(store)
const { key, record } = await new ApiKeys(store).create('bench', true)
const stream = (await catalog.create(ALL_INTERACTIONS_CSDL, 'everything', record.id)).hash
const queue = openJobQueue<BatchTask>({ kind: 'memory' }, 'batch')
await runBatchJob({
  store,
  queue,
  shardStore: new LevelShardStore(),
  views: VIEWS,
  workers: 2,
  workDir: join(dir, 'prepare-work'),
})
await queue.close()
// Streams registered since: the stack's next batch cycle backfills them over the whole month.
const words = ['the', 'covid', 'trump', 'love', 'news', 'game', 'music', 'india', 'vote', 'rain']
for (let n = 0; n < Number(values.streams); n++)
  await catalog.create(
    `interaction.content contains "${words[n % words.length] ?? 'x'}" and interaction.id exists and not interaction.content contains "zz${n}"`,
    `s${n}`,
    record.id,
  )
writeFileSync(join(dir, 'api-key'), `${key}\n`)
console.log(
  `bench/stack — ${fmt(records)} replayed tweets over 30 days in batch views, ${values.streams} streams to backfill; prepared in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
)

const port = await freePort()
const BATCH_EVERY_S = 30
const stack = spawn(
  process.execPath,
  [
    SLUICE,
    'stack',
    ...['--data-dir', dir, '--http', `127.0.0.1:${port}`, '--rate', '0'],
    ...['--batch-every', String(BATCH_EVERY_S)],
  ],
  { stdio: ['ignore', 'pipe', 'ignore'] },
)
await new Promise<void>((resolve, reject) => {
  let text = ''
  stack.stdout.on('data', (c: Buffer) => {
    text += c.toString('utf8')
    if (text.includes('Sluice is running')) resolve()
  })
  stack.once('exit', (code) => reject(new Error(`sluice stack exited ${code}`)))
})
const started = Date.now()
const url = `http://127.0.0.1:${port}/graphql`
const headers = {
  'content-type': 'application/json',
  'x-api-key': readFileSync(join(dir, 'api-key'), 'utf8').trim(),
}

/** A 30-day hourly timeseries ending `shift` hours before the current one. */
const query = (shift: number): string => {
  const to = Math.floor(Date.now() / HOUR) * HOUR + HOUR - shift * HOUR
  return JSON.stringify({
    query: `{ stream(hash: "${stream}") { timeseries(from: "${new Date(to - 30 * DAY).toISOString()}", to: "${new Date(to).toISOString()}", granularity: HOUR) { coverage { batchRows speedRows } points { count } } } }`,
  })
}
const check = (await (await fetch(url, { method: 'POST', headers, body: query(0) })).json()) as {
  errors?: unknown
}
if (check.errors !== undefined) throw new Error(JSON.stringify(check.errors))

interface Figures {
  readonly p50: number
  readonly p99: number
  readonly rps: number
  readonly errors: number
}

async function load(): Promise<Figures> {
  let n = 0
  const result = await autocannon({
    url,
    method: 'POST',
    headers,
    connections: 8,
    overallRate: Number(values.rate),
    duration: seconds,
    requests: [{ setupRequest: (req) => ({ ...req, body: query(n++ % 400) }) }],
  })
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: result.requests.average,
    errors: result.non2xx + result.errors,
  }
}

const report = (label: string, f: Figures): void =>
  console.log(
    `${label}: ${fmt(f.rps)} req/s; latency p50 ${f.p50} ms, p99 ${f.p99} ms; ${f.errors} errors`,
  )

/** The stack's batch process pid while one runs, and its CPU ticks. */
function batchChild(): number | undefined {
  let out: string
  try {
    out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(stack.pid)], {
      encoding: 'utf8',
    })
  } catch {
    // ps exits 1 when the stack has no child at the moment.
    return undefined
  }
  const line = out.split('\n').find((l) => l.includes('batch-cycle-child'))
  return line === undefined ? undefined : Number(line.trim().split(/\s+/)[0])
}
const ticks = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return Number(fields[11]) + Number(fields[12])
}
const batchDetail = async (): Promise<string> =>
  (
    (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as {
      checks: Record<string, { detail: string }>
    }
  ).checks['batch']?.detail ?? ''

// Idle: before the first cycle.
await sleep(3000)
const idle = await load()
report(`\nidle (no batch cycle)`, idle)
if (Date.now() - started > (BATCH_EVERY_S - 2) * 1000)
  throw new Error(
    'the idle measurement ran into the batch cycle: raise --batch-every or lower --seconds',
  )

// During: once the batch process is at work.
for (;;) {
  const pid = batchChild()
  if (pid !== undefined) {
    const before = ticks(pid)
    await sleep(200)
    if (ticks(pid) > before + 5) break
  }
  await sleep(200)
}
const detailBefore = await batchDetail()
const during = await load()
const detailAfter = await batchDetail()
report(`during a batch cycle (backfill of ${values.streams} streams)`, during)
const whole = detailAfter === detailBefore
console.log(
  `   the cycle ${whole ? 'ran throughout the measurement' : `ended during it: ${detailAfter}`}`,
)
stack.kill('SIGTERM')
await new Promise((r) => stack.once('exit', r))
rmSync(dir, { recursive: true, force: true })
const ratio = during.p99 / Math.max(1, idle.p99)
console.log('\ntargets')
console.log(
  `stack: 30-day timeseries p99 ${idle.p99} ms idle, ${during.p99} ms during a batch cycle (${ratio.toFixed(1)}×; target within ${TARGET_RATIO}×) — ${ratio <= TARGET_RATIO && whole ? 'MET' : 'NOT MET'}`,
)
