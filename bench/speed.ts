/*
 * bench/speed: issue 7's figures. The real Twitter sample replayed with fresh ids as hand-off
 * jobs of 1,000 raw-log lines, 1,000 registered streams (all interactions + 999 realistic
 * filters), through the speed layer:
 *
 *   1. embedded: the in-process queue, SpeedWorker and LevelDB in this process;
 *   2. distributed: BullMQ on a real Redis, one and then `--processes` `sluice speed`
 *      processes dividing the routes by lease, Cassandra 2.1;
 *
 * each measured for throughput (every job queued at once, until the queues drain), and for
 * freshness under a steady load (hand-off to the match published, per interaction, p50/p99).
 * Issue 23 reads the last line.
 *
 *   npm run build && npm run bench:speed -- [--records 200000] [--rate 5000] [--seconds 20]
 *     [--distributed-rate 1000] [--routes 4] [--processes 2] [--flush-ms 50] [--phases embedded,distributed]
 */
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { HANDOFF_QUEUE, type HandoffJob } from '../schemas/index.js'
import { openJobQueue } from '../infra/adapters/open-job-queue.js'
import { openMatchChannel } from '../infra/adapters/open-match-channel.js'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { LevelSpeedStore } from '../infra/adapters/speed-store/level-speed-store.js'
import { parseQueueUrl } from '../infra/config/adapter-urls.js'
import { startCassandra } from '../infra/launchers/cassandra-launcher.js'
import { startRedis } from '../infra/launchers/redis-launcher.js'
import { StreamCatalog } from '../query-dsl/index.js'
import { VIEWS } from '../schemas/index.js'
import type { JobQueue, MatchMessage } from '../schemas/ports/index.js'
import { routeQueueName, SpeedWorker, WatchedStreams, type RouteBatch } from '../speed/index.js'
import { registerBenchStreams } from './bench-streams.js'
import { replayedEnvelope, timedRecords } from './replayed-firehose.js'

const TARGET_EMBEDDED = 20_000
const TARGET_DISTRIBUTED = 10_000
const TARGET_P99_MS = 1000
const TARGET_SCALE_OUT = 1.3
const JOB_LINES = 1000

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    streams: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '5000' },
    'distributed-rate': { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
    routes: { type: 'string', default: '4' },
    processes: { type: 'string', default: '2' },
    'flush-ms': { type: 'string', default: '50' },
    phases: { type: 'string', default: 'embedded,distributed' },
    data: { type: 'string', default: join(process.cwd(), '..', 'shared', 'data') },
  },
})
const records = Number(values.records)
const ROUTES = Number(values.routes)
const PROCESSES = Number(values.processes)
const FLUSH_MS = Number(values['flush-ms'])
const phases = new Set(values.phases.split(','))
// Freshness is measured under a steady load each stack sustains (above its throughput the
// queue grows and the figure measures the backlog).
const rate = Number(values.rate)
const distributedRate = Number(values['distributed-rate'])
const seconds = Number(values.seconds)
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
const SLUICE = join(process.cwd(), 'dist/infra/bin/sluice.js')
const dir = join(tmpdir(), `sluice-bench-speed-${process.pid}`)
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })

// The streams, in an object store the `sluice speed` processes read too.
const objects = new LocalDirObjectStore(join(dir, 'store'))
const catalog = new StreamCatalog(objects)
await registerBenchStreams(catalog, values.data, Number(values.streams) - 1, 11)
const streamCount = (await catalog.list()).length

/** Hand-off jobs of the replay: `count` records with ids of replay `copy`, created from `start`. */
function* jobs(
  count: number,
  copy: number,
  start: number,
  perJob = JOB_LINES,
): Generator<{ id: string; data: HandoffJob }> {
  let lines: string[] = []
  let n = 0
  const collector = `bench${copy}`
  const job = (): { id: string; data: HandoffJob } => {
    const first = n - lines.length
    const out = {
      id: `${collector}-0-${first}-${lines.length}`,
      data: { collector, segment: 0, firstSeq: first, lines },
    }
    lines = []
    return out
  }
  for (const record of timedRecords({
    dataDir: values.data,
    records: count,
    start,
    windowMs: count * 2,
    firstCopy: copy,
  })) {
    lines.push(replayedEnvelope(record, collector, 0, n))
    n++
    if (lines.length === perJob) yield job()
  }
  if (lines.length > 0) yield job()
}

/**
 * Hands `all` to the queue keeping a few jobs waiting, so the bench never holds the whole
 * replay in memory (200,000 tweets are about a gigabyte of strings).
 */
async function feed(
  queue: JobQueue<HandoffJob>,
  all: Iterable<{ id: string; data: HandoffJob }>,
): Promise<void> {
  for (const job of all) {
    while ((await queue.counts()).waiting >= 16) await sleep(5)
    await queue.add([job])
  }
}

async function drained<T>(queue: JobQueue<T>): Promise<void> {
  for (;;) {
    const c = await queue.counts()
    if (c.waiting + c.active + c.delayed === 0) return
    await sleep(50)
  }
}

/** A sample's value in a Prometheus text exposition (0 when absent). */
const metricOf = (text: string, name: string): number =>
  Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0)

/** Commits refused so far, summed over the speed processes at `urls`. */
async function refusedCommits(urls: readonly string[]): Promise<number> {
  let sum = 0
  for (const url of urls)
    sum += metricOf(await (await fetch(`${url}/metrics`)).text(), 'sluice_speed_conflicts_total')
  return sum
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN

/**
 * Freshness under a steady load of `rate` interactions/s for `seconds`: every 100 ms a job of
 * rate/10 records is handed off; each interaction's delay runs from its job's hand-off to its
 * first match arriving on the channel (published once committed).
 */
async function freshness(
  queue: JobQueue<HandoffJob>,
  subscribe: (handler: (m: MatchMessage) => void) => Promise<() => Promise<void>>,
  copy: number,
  rate: number,
): Promise<{ p50: number; p99: number; samples: number }> {
  const steady = [...jobs(rate * seconds, copy, Date.now(), Math.max(1, Math.round(rate / 10)))]
  // By tweet id (the interaction id is Sluice's own).
  const sentAt = new Map<string, number>()
  const delays: number[] = []
  const stop = await subscribe((m) => {
    const id = String(m.interaction.twitter?.id ?? '')
    const at = sentAt.get(id)
    if (at === undefined) return
    delays.push(performance.now() - at)
    sentAt.delete(id)
  })
  const begin = performance.now()
  for (const [k, job] of steady.entries()) {
    const due = begin + k * 100
    const wait = due - performance.now()
    if (wait > 0) await sleep(wait)
    const now = performance.now()
    for (const line of job.data.lines) {
      const id = /"id_str": ?"(\d+)"/.exec(line)?.[1]
      if (id !== undefined) sentAt.set(id, now)
    }
    await queue.add([job])
  }
  await drained(queue)
  await sleep(500)
  await stop()
  const sorted = delays.sort((a, b) => a - b)
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), samples: sorted.length }
}

console.log(
  `bench/speed — ${fmt(records)} replayed tweets in jobs of ${JOB_LINES}, ${streamCount} streams, ${ROUTES} routes`,
)

interface Figures {
  throughput: number
  p99: number
}
const embedded: Figures = { throughput: 0, p99: NaN }

/** CPU seconds a process has used so far (Linux /proc; children it waited for excluded). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return NaN
  }
}

// 1. Embedded.
if (phases.has('embedded')) {
  const store = await LevelSpeedStore.open(join(dir, 'speed'))
  const queue = openJobQueue<HandoffJob>({ kind: 'memory' }, HANDOFF_QUEUE)
  const channel = openMatchChannel({ kind: 'memory' })
  const streams = new WatchedStreams(catalog)
  await streams.refresh()
  const worker = new SpeedWorker({
    store,
    views: VIEWS,
    routes: ROUTES,
    ttlSeconds: 48 * 3600,
    flushMs: FLUSH_MS,
    streams: () => streams.set,
    watermark: () => -Infinity,
    onMatches: (m) => void channel.publish(m),
  })
  const consumer = queue.consume((j) => worker.handle(j.id, j.data), { concurrency: 4 })
  const all = jobs(records, 100, Date.now() - 3_600_000)
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await feed(queue, all)
  await drained(queue)
  const wall = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  const m = { ...worker.metrics }
  console.log('\n1. embedded (in-process queue, LevelDB, one process)')
  console.log(
    `   throughput: ${fmt(m.interactions)} interactions in ${wall.toFixed(1)} s = ${fmt(m.interactions / wall)}/s; CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; ${fmt(m.applied)} applied, ${m.commits} commits; peak RSS ${fmt(process.resourceUsage().maxRSS / 1024)} MB`,
  )
  const per = (ms: number): string => ((ms * 1000) / Math.max(1, m.interactions)).toFixed(0)
  console.log(
    `   where the time goes, per interaction: ${((((cpu.user + cpu.system) / 1e3) * 1000) / Math.max(1, m.interactions)).toFixed(0)} µs CPU in all; reading lines (normalize, augment) ${per(m.readMs)} µs, matching ${fmt(streamCount)} streams and extracting ${per(m.routeMs)} µs, committing (fold, encode, LevelDB; wall, overlapping the rest) ${per(m.commitMs)} µs`,
  )
  const fresh = await freshness(queue, (h) => channel.subscribe('*', h), 200, rate)
  console.log(
    `   freshness at ${fmt(rate)}/s for ${seconds} s: p50 ${fresh.p50.toFixed(0)} ms, p99 ${fresh.p99.toFixed(0)} ms (${fmt(fresh.samples)} interactions)`,
  )
  await consumer.close()
  await worker.drain()
  await store.close()
  await channel.close()
  embedded.throughput = m.interactions / wall
  embedded.p99 = fresh.p99
}

// 2. Distributed: the same load through 1 and then 2 `sluice speed` processes.
interface DistributedRun {
  throughput: number
  /** CPU seconds of the speed processes per 1,000 interactions. */
  cpuPerThousand: number
  conflicts: number
  p99: number
}
const runs = new Map<number, DistributedRun>()
if (phases.has('distributed')) {
  const redis = await startRedis()
  const cassandra = await startCassandra({ directory: join(dir, 'cassandra') })
  const counts = [...new Set([1, PROCESSES])]
  for (const [index, processes] of counts.entries()) {
    const prefix = `bench${randomUUID().slice(0, 8)}`
    const queueUrl = `${redis.url}?prefix=${prefix}`
    const speedUrl = cassandra.url(`bench_speed_${index}`)
    const workers = Array.from({ length: processes }, () => {
      const child = spawn(
        process.execPath,
        [
          SLUICE,
          'speed',
          ...['--store', `file://${join(dir, 'store')}`, '--queue', queueUrl],
          ...['--speed-store', speedUrl, '--routes', String(ROUTES), '--workers', '4'],
          ...['--flush-ms', String(FLUSH_MS), '--http', '127.0.0.1:0'],
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      )
      let log = ''
      child.stderr.on('data', (b: Buffer) => (log += b.toString('utf8')))
      return { child, log: () => log }
    })
    const config = parseQueueUrl('queue', queueUrl)
    const queue = openJobQueue<HandoffJob>(config, HANDOFF_QUEUE)
    const routeQueues = Array.from({ length: ROUTES }, (_, r) =>
      openJobQueue<RouteBatch>(config, routeQueueName(r)),
    )
    const channel = openMatchChannel(config)
    // The routes divided evenly before the clock starts (the first process to come up takes
    // them all, then hands some over as the others join).
    const urls = (): string[] =>
      workers.map((w) => /serving (http:\S+)\/health/.exec(w.log())?.[1] ?? '')
    const divided = async (): Promise<boolean> => {
      for (const url of urls()) {
        if (url === '') return false
        const text = await (await fetch(`${url}/metrics`)).text()
        if (metricOf(text, 'sluice_speed_routes_owned') !== ROUTES / processes) return false
      }
      return true
    }
    for (let waited = 0; !(await divided()) && waited < 60_000; waited += 200) await sleep(200)
    const refusedBefore = await refusedCommits(urls())
    const handedOver = (): number =>
      workers.reduce((n, w) => n + (w.log().match(/no longer writing it/g) ?? []).length, 0)
    const handOversBefore = handedOver()
    const all = jobs(records, 300 + index, Date.now() - 3_600_000)
    const pids = workers.map((w) => w.child.pid ?? -1)
    const cpuOf = (): number => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0)
    const services = (): number[] => [
      cpuSeconds(cassandra.process.pid),
      cpuSeconds(redis.process.pid),
    ]
    const services0 = services()
    const cpu0 = cpuOf()
    const t0 = performance.now()
    await feed(queue, all)
    await drained(queue)
    for (const q of routeQueues) await drained(q)
    const wall = (performance.now() - t0) / 1000
    const cpu = cpuOf() - cpu0
    const [cassandraCpu, redisCpu] = services().map((c, i) => c - (services0[i] as number))
    const conflicts = (await refusedCommits(urls())) - refusedBefore
    // Routes that changed hands during the run (a lease not renewed in time).
    const handOvers = handedOver() - handOversBefore
    console.log(
      `\n2.${index + 1}. distributed (BullMQ on Redis, ${processes} \`sluice speed\` process(es), Cassandra 2.1)`,
    )
    console.log(
      `   throughput: ${fmt(records)} records in ${wall.toFixed(1)} s = ${fmt(records / wall)}/s; speed processes' CPU ${cpu.toFixed(1)} s (${((cpu / records) * 1e6).toFixed(0)} µs per interaction), Cassandra ${(cassandraCpu ?? NaN).toFixed(1)} s, Redis ${(redisCpu ?? NaN).toFixed(1)} s; ${conflicts} commits refused; ${handOvers} route hand-overs`,
    )
    const run: DistributedRun = {
      throughput: records / wall,
      cpuPerThousand: (cpu / records) * 1000,
      conflicts,
      p99: NaN,
    }
    if (index === counts.length - 1) {
      const fresh = await freshness(
        queue,
        (h) => channel.subscribe('*', h),
        400 + index,
        distributedRate,
      )
      console.log(
        `   freshness at ${fmt(distributedRate)}/s for ${seconds} s: p50 ${fresh.p50.toFixed(0)} ms, p99 ${fresh.p99.toFixed(0)} ms (${fmt(fresh.samples)} interactions)`,
      )
      run.p99 = fresh.p99
    }
    runs.set(processes, run)
    for (const w of workers) w.child.kill('SIGTERM')
    await Promise.all(workers.map((w) => new Promise((r) => w.child.once('exit', r))))
    await queue.close()
    await Promise.all(routeQueues.map((q) => q.close()))
    await channel.close()
  }
  await cassandra.process.stop()
  await redis.process.stop()
}
const one = runs.get(1)
const two = runs.get(PROCESSES)
const scaleOut = one !== undefined && two !== undefined ? two.throughput / one.throughput : NaN
const cpuRatio =
  one !== undefined && two !== undefined ? two.cpuPerThousand / one.cpuPerThousand : NaN

console.log('\ntargets')
const verdict = (ok: boolean): string => (ok ? 'MET' : 'NOT MET')
console.log(
  `   embedded >= ${fmt(TARGET_EMBEDDED)} interactions/s: ${fmt(embedded.throughput)} — ${verdict(embedded.throughput >= TARGET_EMBEDDED)}`,
)
console.log(
  `   Redis+Cassandra >= ${fmt(TARGET_DISTRIBUTED)} interactions/s: ${fmt(two?.throughput ?? 0)} — ${verdict((two?.throughput ?? 0) >= TARGET_DISTRIBUTED)}`,
)
console.log(
  `   ${PROCESSES} processes >= ${TARGET_SCALE_OUT}× one, 0 commits refused: ${scaleOut.toFixed(2)}×, ${two?.conflicts ?? NaN} refused — ${verdict(scaleOut >= TARGET_SCALE_OUT && two?.conflicts === 0)}`,
)
console.log(
  `   CPU per interaction with ${PROCESSES} processes within 15% of one: ${cpuRatio.toFixed(2)}× — ${verdict(Math.abs(cpuRatio - 1) <= 0.15)}`,
)
console.log(
  `   freshness p99 < ${TARGET_P99_MS} ms at ${fmt(rate)}/s embedded: ${embedded.p99.toFixed(0)} ms — ${verdict(embedded.p99 < TARGET_P99_MS)}`,
)
rmSync(dir, { recursive: true, force: true })
console.log(
  `speed: embedded ${fmt(embedded.throughput)}/s; distributed 1 process ${fmt(one?.throughput ?? 0)}/s; ${PROCESSES} processes ${fmt(two?.throughput ?? 0)}/s (scale-out ${scaleOut.toFixed(2)}×); freshness p99 ${embedded.p99.toFixed(0)} ms`,
)
