/*
 * bench/batch: issue 6's figures. A master dataset of the real Twitter sample replayed to
 * --records interactions over --days days (built with `shred` unless --store holds one), 100
 * registered streams (the "all interactions" stream and 99 realistic filters generated from the
 * sample's vocabulary, as in bench/csdl), then:
 *
 *   1. a full recompute (no partials) with 1 worker (the in-process queue);
 *   2. a full recompute with 2 worker processes (`sluice batch worker`) on a real Redis;
 *   3. an incremental run after one day changed (a segment of late tweets for one day).
 *
 *   npm run build && npm run bench:batch -- [--records 5000000] [--days 50] [--store DIR]
 */
import { spawn } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { runBatchJob, type BatchJobReport, type BatchTask } from '../batch/index.js'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { openJobQueue } from '../infra/adapters/open-job-queue.js'
import { LevelShardStore } from '../infra/adapters/view-shards/level-shard-store.js'
import { parseQueueUrl, type QueueConfig } from '../infra/config/adapter-urls.js'
import { startRedis } from '../infra/launchers/redis-launcher.js'
import { StreamCatalog } from '../query-dsl/index.js'
import { readMasterSnapshot, VIEWS } from '../schemas/index.js'
import { shred } from '../shredder/index.js'
import { ensureReplayedMaster } from './bench-master.js'
import { registerBenchStreams } from './bench-streams.js'
import { writeReplayedSegments } from './replayed-firehose.js'

const TARGET_FULL = 100_000
const TARGET_SPEEDUP = 10
const DAY_MS = 86_400_000
const START = Date.parse('2026-11-10T00:00:00Z')

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '5000000' },
    days: { type: 'string', default: '50' },
    store: { type: 'string' },
    data: { type: 'string', default: join(process.cwd(), '..', 'shared', 'data') },
  },
})
const records = Number(values.records)
const days = Number(values.days)
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
const dir = values.store ?? join(tmpdir(), 'sluice-bench-batch')
mkdirSync(dir, { recursive: true })
const store = new LocalDirObjectStore(dir)
const shardStore = new LevelShardStore()
const SLUICE = join(process.cwd(), 'dist/infra/bin/sluice.js')

console.log(`bench/batch — master dataset in ${dir}`)
await ensureReplayedMaster(store, { records, days, start: START, dataDir: values.data })
const snapshot = await readMasterSnapshot(store)
const rows = [...snapshot.parts.values()].reduce((n, p) => n + p.rows, 0)

const partitions = new Set([...snapshot.parts.values()].map((p) => `${p.type}/${p.date}`)).size
console.log(`${fmt(rows)} interactions in ${partitions} partitions`)

// 100 streams: all interactions + 99 generated from the sample's vocabulary.
const catalog = new StreamCatalog(store)
if ((await catalog.list()).length < 100) await registerBenchStreams(catalog, values.data, 99, 7)
console.log(`${(await catalog.list()).length} streams registered`)

const workDir = join(dir, '..', 'bench-batch-work')
const reset = (): void => {
  rmSync(join(dir, 'batch'), { recursive: true, force: true })
  rmSync(join(dir, 'views'), { recursive: true, force: true })
  for (const d of [workDir, `${workDir}-w0`, `${workDir}-w1`])
    rmSync(d, { recursive: true, force: true })
}

interface Timed {
  readonly wall: number
  /** Interactions in the master dataset the run read. */
  readonly rows: number
}

async function timed(label: string, run: () => Promise<BatchJobReport>): Promise<Timed> {
  const rows = [...(await readMasterSnapshot(store)).parts.values()].reduce((n, p) => n + p.rows, 0)
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const report = await run()
  const wall = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  const v = report.version
  console.log(
    `${label.padEnd(38)} ${wall.toFixed(1).padStart(7)} s  ${fmt(rows / wall).padStart(9)} interactions/s\n` +
      `${''.padEnd(41)}tasks ${report.tasks}, partials computed ${fmt(report.partialsComputed)} / reused ${fmt(report.partialsReused)}; ` +
      `${report.incremental ? `built from v${v.base ?? '?'}` : 'full build'}: ${fmt(report.streamDaysRebuilt)} (stream, day) pairs, ${fmt(v.rowsWritten)} rows written; ` +
      `partitions ${report.seconds.partitions.toFixed(1)} s, shards ${report.seconds.shards.toFixed(1)} s, commit and clean-up ${report.seconds.commit.toFixed(1)} s; ` +
      `coordinator CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, peak RSS ${fmt(process.resourceUsage().maxRSS / 1024)} MB`,
  )
  return { wall, rows }
}

/** One batch run through `queue` with `workers` consumers in this process. */
const batchRun = async (config: QueueConfig, workers: number): Promise<BatchJobReport> => {
  const queue = openJobQueue<BatchTask>(config, 'batch')
  try {
    return await runBatchJob({
      store,
      queue,
      shardStore,
      views: VIEWS,
      workers,
      workDir,
    })
  } finally {
    await queue.close()
  }
}
const memoryRun = (): Promise<BatchJobReport> => batchRun({ kind: 'memory' }, 1)

/** Late tweets for one day arrive and are shredded (fresh ids and a collector of their own on
 * every call, so a kept store changes each time). */
let lateRuns = 0
async function lateDay(day: number): Promise<void> {
  const run = (Date.now() % 100_000) + lateRuns++
  await writeReplayedSegments(store, {
    dataDir: values.data,
    records: 20_000,
    start: START + day * DAY_MS,
    windowMs: DAY_MS,
    firstCopy: 100 + (run % 800),
    date: '2026-11-23',
    collector: `late${run}`,
  })
  await shred({ store, compact: false })
}

console.log('')
reset()
const full1 = await timed('1. full recompute, 1 worker', memoryRun)
await lateDay(Math.floor(days / 2))
const incremental1 = await timed('2. incremental, one day changed, 1 worker', memoryRun)

reset()
const redis = await startRedis()
const queueUrl = `${redis.url}?prefix=bench${Date.now()}`
// Each worker keeps its own shards, as on two machines.
const workers = [0, 1].map((w) =>
  spawn(
    process.execPath,
    [
      SLUICE,
      'batch',
      'worker',
      '--store',
      `file://${dir}`,
      '--queue',
      queueUrl,
      '--work-dir',
      `${workDir}-w${w}`,
    ],
    { stdio: 'ignore' },
  ),
)
const redisRun = (): Promise<BatchJobReport> => batchRun(parseQueueUrl('queue', queueUrl), 0)
const full2 = await timed('3. full recompute, 2 worker processes', redisRun)
await lateDay(Math.floor(days / 3))
const incremental2 = await timed('4. incremental, one day changed, 2 worker processes', redisRun)
for (const w of workers) w.kill('SIGTERM')
await redis.process.stop()

console.log('\ntargets')
console.log(
  `   full recompute >= ${fmt(TARGET_FULL)} interactions/s across 2 cores: ${fmt(full2.rows / full2.wall)} — ${full2.rows / full2.wall >= TARGET_FULL ? 'MET' : 'NOT MET'}`,
)
for (const [label, full, incremental] of [
  ['1 worker', full1, incremental1],
  ['2 worker processes', full2, incremental2],
] as const)
  console.log(
    `   incremental >= ${TARGET_SPEEDUP}x faster than full (${label}): ${(full.wall / incremental.wall).toFixed(1)}x — ${full.wall / incremental.wall >= TARGET_SPEEDUP ? 'MET' : 'NOT MET'}`,
  )
