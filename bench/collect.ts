/*
 * bench/collect: the collector end to end over HTTP — POSTed NDJSON batches of the real Twitter
 * v1.1 sample into the durable raw log (fsync per group of batches), sealed with gzip and
 * uploaded to the object store (local directory) — measured from outside: the collector runs
 * as its own `sluice collect --http` process, whose CPU time (all threads, from /proc) and RSS
 * are sampled while this process drives the load. Issue 4's targets: >= 50,000 records/s per
 * core sustained; RSS flat (within 20%) through a 10x spike.
 *
 *   npm run build && npm run bench:collect -- [--seconds 20] [--batch 500] [--data ../shared/data]
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { gunzipSync } from 'node:zlib'
import { listAll } from '../schemas/ports/index.js'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { freePort } from '../infra/launchers/free-port.js'

const TARGET_PER_CORE = 50_000
const RSS_FLAT = 0.2
const CLOCK_TICKS = 100 // USER_HZ on Linux: /proc/<pid>/stat counts CPU in 1/100 s.

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    batch: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '8' },
    base: { type: 'string', default: '4000' },
    fsync: { type: 'string', default: 'batch' },
    gzip: { type: 'string', default: '3' },
    data: { type: 'string', default: join(process.cwd(), '..', 'shared', 'data') },
  },
})
const seconds = Number(values.seconds)
const batchSize = Number(values.batch)
const concurrency = Number(values.concurrency)
const baseRate = Number(values.base)

const sluice = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'infra', 'bin', 'sluice.js')
const lines = gunzipSync(readFileSync(join(values.data, 'twitter-v1-sample.jsonl.gz')))
  .toString('utf8')
  .split('\n')
  .filter((l) => l !== '')
// Each line split at its first "id" value, so every replay of the sample gets fresh ids (the
// collector would otherwise drop the second pass as duplicates).
const split = lines.map((l) => {
  const m = /"id": ?(\d+)/.exec(l)
  const at = m === null ? 0 : m.index + m[0].length - (m[1]?.length ?? 0)
  return [
    Buffer.from(l.slice(0, at)),
    Buffer.from(l.slice(at + (m?.[1]?.length ?? 0)) + '\n'),
  ] as const
})
let cursor = 0
let pass = 0
function nextBody(): Buffer {
  const parts: Buffer[] = []
  for (let i = 0; i < batchSize; i++) {
    const [head, tail] = split[cursor] ?? [Buffer.alloc(0), Buffer.alloc(0)]
    parts.push(head, Buffer.from(`9${pass}${cursor}`), tail)
    if (++cursor === split.length) {
      cursor = 0
      pass++
    }
  }
  return Buffer.concat(parts)
}
const avgRecordBytes = split.reduce((s, [h, t]) => s + h.length + t.length, 0) / split.length

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
}

/** CPU seconds of the main thread and of the others, in user and kernel mode. */
function cpuByThread(pid: number): Map<string, number> {
  const out = new Map<string, number>()
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // Node 20 does not name its threads: the pool (zlib, fs) and V8's GC helpers are "other".
    const thread = tid === String(pid) ? 'main thread' : 'other threads'
    for (const [mode, field] of [
      ['user', 11],
      ['kernel', 12],
    ] as const) {
      const kind = `${thread} ${mode}`
      out.set(kind, (out.get(kind) ?? 0) + Number(fields[field]) / CLOCK_TICKS)
    }
  }
  return out
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(m?.[1] ?? 0) / 1024
}
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0

const work = mkdtempSync(join(tmpdir(), 'sluice-bench-collect-'))
const port = await freePort()
const agent = new Agent({ keepAlive: true, maxSockets: 64 })
const child = spawn(
  process.execPath,
  [
    ...(process.env['BENCH_PROFILE'] === undefined
      ? []
      : ['--cpu-prof', '--cpu-prof-dir', process.env['BENCH_PROFILE']]),
    sluice,
    'collect',
    '--http',
    `127.0.0.1:${port}`,
    '--store',
    `file://${work}/store`,
    '--log-dir',
    `${work}/log`,
    '--collector',
    'bench',
    '--fsync',
    values.fsync,
    '--gzip-level',
    values.gzip,
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
)
const pid = child.pid ?? 0

function post(body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/ingest/twitter-v1',
        method: 'POST',
        agent,
        headers: { 'content-length': body.length },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

for (let i = 0; ; i++) {
  const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
    (r) => r.ok,
    () => false,
  )
  if (ok) break
  if (i > 200) throw new Error('collector did not start')
  await sleep(50)
}

interface Phase {
  records: number
  refused: number
  latencies: number[]
  wall: number
  cpu: number
  rss: number[]
  threads: Map<string, number>
}

/** Drives `concurrency` senders; `rate` (records/s, by time) undefined means flat out. */
async function drive(
  durationS: number,
  rate: (elapsedS: number) => number | undefined,
): Promise<Phase> {
  const phase: Phase = {
    records: 0,
    refused: 0,
    latencies: [],
    wall: 0,
    cpu: 0,
    rss: [],
    threads: new Map(),
  }
  const cpu0 = cpuSeconds(pid)
  const threads0 = cpuByThread(pid)
  const t0 = performance.now()
  const end = t0 + durationS * 1000
  const sampler = setInterval(() => phase.rss.push(rssMb(pid)), 100)
  let offered = 0
  const sender = async (): Promise<void> => {
    while (performance.now() < end) {
      const elapsed = (performance.now() - t0) / 1000
      const r = rate(elapsed)
      if (r !== undefined) {
        // Integrate the schedule coarsely: a batch may go once the schedule has room for it.
        const allowed = baseIntegral(elapsed, r)
        if (offered + batchSize > allowed) {
          await sleep(5)
          continue
        }
      }
      offered += batchSize
      const body = nextBody()
      const s = performance.now()
      const status = await post(body)
      phase.latencies.push(performance.now() - s)
      if (status === 202) phase.records += batchSize
      else {
        phase.refused++
        await sleep(100)
      }
    }
  }
  let integral = 0
  let last = 0
  const baseIntegral = (elapsed: number, r: number): number => {
    integral += (elapsed - last) * r
    last = elapsed
    return integral
  }
  await Promise.all(Array.from({ length: concurrency }, () => sender()))
  clearInterval(sampler)
  phase.wall = (performance.now() - t0) / 1000
  phase.cpu = cpuSeconds(pid) - cpu0
  for (const [kind, t] of cpuByThread(pid)) phase.threads.set(kind, t - (threads0.get(kind) ?? 0))
  phase.latencies.sort((a, b) => a - b)
  return phase
}

function report(name: string, p: Phase): void {
  const perCore = p.records / p.cpu
  console.log(
    `${name.padEnd(26)} ${fmt(p.records / p.wall).padStart(8)} records/s wall  ${fmt(perCore).padStart(8)} records/CPU-s  ` +
      `(${((p.records * avgRecordBytes) / p.wall / 1e6).toFixed(0)} MB/s in)  POST p50 ${pct(p.latencies, 0.5).toFixed(1)} ms  p99 ${pct(p.latencies, 0.99).toFixed(1)} ms  ` +
      `refused ${p.refused}  RSS max ${fmt(Math.max(...p.rss))} MB`,
  )
}

console.log(
  `bench/collect — real Twitter v1.1 sample (${fmt(lines.length)} records, ${fmt(avgRecordBytes)} B avg), ${batchSize} records per POST, ${concurrency} senders, fsync=${values.fsync}, gzip level ${values.gzip}, local-directory store`,
)
await drive(3, () => undefined) // warm-up: JIT, first segments
const sustained = await drive(seconds, () => undefined)
report('sustained (flat out)', sustained)
console.log(
  `  CPU per record ${((sustained.cpu / sustained.records) * 1e6).toFixed(1)} µs: ` +
    [...sustained.threads]
      .filter(([, t]) => t > 0)
      .map(([kind, t]) => `${kind} ${((t / sustained.records) * 1e6).toFixed(1)} µs`)
      .join(', '),
)

const steadyA = await drive(10, () => baseRate)
const spike = await drive(10, () => baseRate * 10)
const steadyB = await drive(10, () => baseRate)
report(`steady ${fmt(baseRate)}/s`, steadyA)
report(`spike ×10 (${fmt(baseRate * 10)}/s)`, spike)
report(`steady again`, steadyB)

// Let the last segments seal and upload, then check the store holds everything acknowledged.
child.kill('SIGTERM')
await new Promise((resolve) => child.once('exit', resolve))
const store = new LocalDirObjectStore(join(work, 'store'))
let objects = 0
let storedBytes = 0
for await (const o of listAll(store, 'raw/')) {
  objects++
  storedBytes += o.size
}

const perCore = sustained.records / sustained.cpu
const base = Math.max(...steadyA.rss)
const peak = Math.max(...spike.rss, ...steadyB.rss)
const growth = peak / base - 1
console.log(`\nuploaded: ${objects} segments, ${(storedBytes / 1e6).toFixed(0)} MB gzip`)
console.log(
  `target: >= ${fmt(TARGET_PER_CORE)} records/s per core — ${fmt(perCore)} per CPU-second of the collector (all threads) — ${perCore >= TARGET_PER_CORE ? 'MET' : 'NOT MET'}`,
)
console.log(
  `target: RSS within 20% through a 10× spike — steady max ${fmt(base)} MB, spike/after max ${fmt(peak)} MB (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%) — ${growth <= RSS_FLAT ? 'MET' : 'NOT MET'}`,
)
agent.destroy()
rmSync(work, { recursive: true, force: true })
