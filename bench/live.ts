/*
 * bench/live: issue 10's figure. A `sluice serve` process follows the Redis matches channel;
 * --streams streams are registered, --clients WebSocket clients (spread evenly over them) are
 * connected from this process, and matches of real tweets are published on the channel at
 * --rate per second for --seconds, as the speed processes publish them. Delivery latency is
 * from the publish to a client's receipt (the same clock): p50, p99 and max, messages
 * delivered, clients cut off. From ingest, add the speed layer's freshness (bench/speed). A
 * second case (issue 21) puts --fan-out readers on one stream at the same rate: every match goes
 * to every reader, so the server's cost per match is one encoding and that many sends.
 *
 *   npm run build && npm run bench:live -- [--streams 100] [--clients 1000] [--rate 500] [--seconds 10] [--fan-out 100]
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { startSluiceServe } from './sluice-serve.js'
import { WebSocket } from 'ws'
import { RedisMatchChannel } from '../infra/adapters/match-channel/redis-match-channel.js'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { freePort } from '../infra/launchers/free-port.js'
import { startRedis } from '../infra/launchers/redis-launcher.js'
import { StreamCatalog } from '../query-dsl/index.js'
import { augment, normalizeLine, type Interaction } from '../schemas/index.js'
import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'

const TARGET_P99_MS = 100

const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '100' },
    clients: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '10' },
    'fan-out': { type: 'string', default: '100' },
    data: { type: 'string', default: join(process.cwd(), '..', 'shared', 'data') },
  },
})
const streams = Number(values.streams)
const clients = Number(values.clients)
const rate = Number(values.rate)
const seconds = Number(values.seconds)
const fanOutReaders = Number(values['fan-out'])
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
const SLUICE = join(process.cwd(), 'dist/infra/bin/sluice.js')
const dir = join(tmpdir(), `sluice-bench-live-${process.pid}`)
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })

// Real tweets as interactions; each publish gets a fresh id.
const base: Interaction[] = []
for (const line of gunzipSync(readFileSync(join(values.data, 'twitter-v1-sample.jsonl.gz')))
  .toString('utf8')
  .split('\n')
  .slice(0, 2000)) {
  if (line === '') continue
  const o = normalizeLine(line, 'twitter-v1')
  if (o.kind === 'interactions') for (const i of o.interactions) base.push(augment(i))
}

const redis = await startRedis()
const prefix = `live${Date.now()}`
const queue = `${redis.url}?prefix=${prefix}`
const store = `file://${join(dir, 'store')}`
const created = spawnSync(
  process.execPath,
  [SLUICE, 'keys', 'create', '--name', 'bench', '--store', store],
  {
    encoding: 'utf8',
  },
)
const [key, idLine] = created.stdout.split('\n')
const keyId = /^id (\S+?):?\s/.exec(idLine ?? '')?.[1] ?? ''
const catalog = new StreamCatalog(new LocalDirObjectStore(join(dir, 'store')))
const hashes: string[] = []
for (let s = 0; s < streams; s++)
  hashes.push(
    (await catalog.create(`interaction.id exists and language.tag != "zz${s}"`, `s${s}`, keyId))
      .hash,
  )

const port = await freePort()
const server = await startSluiceServe([
  ...['--store', store, '--speed-store', `level://${join(dir, 'speed')}`],
  ...['--queue', queue, '--http', `127.0.0.1:${port}`, '--cache-dir', join(dir, 'cache')],
  // One key opens every connection here: the per-key limits are not what is measured.
  ...['--rate-limit', '1000000', '--max-live', '1000000'],
])
const channel = new RedisMatchChannel({
  host: '127.0.0.1',
  port: Number(new URL(redis.url).port),
  prefix,
})

interface CaseResult {
  readonly delivered: number
  readonly expected: number
  readonly cutOff: number
  readonly p50: number
  readonly p99: number
  readonly max: number
}

/** `clients` WebSocket clients spread over `on` streams, `rate` matches/s for `seconds`. */
async function runCase(on: readonly string[], clientCount: number): Promise<CaseResult> {
  const published = new Map<string, number>()
  const latencies: number[] = []
  let cutOff = 0
  const sockets: WebSocket[] = []
  const tag = `c${on.length}x${clientCount}`
  for (let c = 0; c < clientCount; c++) {
    const hash = on[c % on.length] as string
    const ws = new WebSocket(`ws://127.0.0.1:${port}/live/${hash}/ws?key=${key ?? ''}`)
    ws.on('message', (data: Buffer) => {
      const at = performance.now()
      // The id sits near the start of the interaction's JSON: no need to parse 3 KB per message.
      const m = /"id":"(live-[^"]+)"/.exec(data.toString('utf8', 0, 400))
      const sent = m === null ? undefined : published.get(m[1] as string)
      if (sent !== undefined) latencies.push(at - sent)
    })
    ws.on('close', (code: number) => {
      if (code === 4000) cutOff++
    })
    sockets.push(ws)
  }
  await Promise.all(sockets.map((ws) => new Promise((r, j) => ws.once('open', r).once('error', j))))
  // Every client is followed once the server counts it (an open socket is admitted after).
  const deadline = Date.now() + 60_000
  for (;;) {
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
    const following = Number(/^sluice_api_live_consumers (\S+)$/m.exec(metrics)?.[1])
    if (following >= clientCount) break
    if (Date.now() > deadline)
      throw new Error(`only ${following} of ${clientCount} clients followed`)
    await new Promise((r) => setTimeout(r, 100))
  }
  const started = performance.now()
  let n = 0
  const tick = 20
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate)
    const batch = []
    for (; n < due; n++) {
      const i = base[n % base.length] as Interaction
      const id = `live-${tag}-${n}`
      batch.push({
        stream: on[n % on.length] as string,
        interaction: { ...i, interaction: { ...i.interaction, id } },
      })
      published.set(id, performance.now())
    }
    if (batch.length > 0) await channel.publish(batch)
    await new Promise((r) => setTimeout(r, tick))
  }
  await new Promise((r) => setTimeout(r, 2000))
  for (const ws of sockets) ws.terminate()
  latencies.sort((a, b) => a - b)
  const q = (p: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN
  return {
    delivered: latencies.length,
    expected: n * (clientCount / on.length),
    cutOff,
    p50: q(0.5),
    p99: q(0.99),
    max: latencies.at(-1) ?? NaN,
  }
}

function report(title: string, r: CaseResult): void {
  console.log(title)
  console.log(
    `   delivered ${fmt(r.delivered)} of ${fmt(r.expected)} messages; ${r.cutOff} clients cut off`,
  )
  console.log(
    `   latency publish → client: p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms`,
  )
}

console.log(
  `bench/live — one sluice serve (Redis matches channel), WebSocket clients in this process, ${fmt(rate)} matches/s for ${seconds} s per case`,
)
const spread = await runCase(hashes, clients)
report(`\n${fmt(clients)} clients on ${fmt(streams)} streams`, spread)
const fanOut = await runCase(hashes.slice(0, 1), fanOutReaders)
report(`\n${fmt(fanOutReaders)} readers on one stream (every match to every reader)`, fanOut)
console.log(`\n   bench process peak RSS ${fmt(process.resourceUsage().maxRSS / 1024)} MB`)

await channel.close()
server.kill('SIGTERM')
await new Promise((r) => server.once('exit', r))
await redis.process.stop()
rmSync(dir, { recursive: true, force: true })
const met = (r: CaseResult): boolean => r.p99 < TARGET_P99_MS && r.delivered === r.expected
console.log('\ntargets')
console.log(
  `   delivery p99 < ${TARGET_P99_MS} ms with ${fmt(streams)} streams and ${fmt(clients)} clients, all delivered: ${spread.p99.toFixed(1)} ms — ${met(spread) ? 'MET' : 'NOT MET'}`,
)
// Issue 21 asks this case for every match delivered to every reader, with its p99 stated.
console.log(
  `   ${fmt(fanOutReaders)} readers on one stream at ${fmt(rate)} matches/s, all delivered, none cut off: ${fmt(fanOut.delivered)} of ${fmt(fanOut.expected)}, ${fanOut.cutOff} cut off (p99 ${fanOut.p99.toFixed(1)} ms) — ${fanOut.delivered === fanOut.expected && fanOut.cutOff === 0 ? 'MET' : 'NOT MET'}`,
)
