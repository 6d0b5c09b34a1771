/*
 * bench/live: issue 10's figure. A `sluice serve` process follows the Redis matches channel;
 * --streams streams are registered, --clients WebSocket clients (spread evenly over them) are
 * connected from this process, and matches of real tweets are published on the channel at
 * --rate per second for --seconds, as the speed processes publish them. Delivery latency is
 * from the publish to a client's receipt (the same clock): p50, p99 and max, messages
 * delivered, clients cut off. From ingest, add the speed layer's freshness (bench/speed).
 *
 *   npm run build && npm run bench:live -- [--streams 100] [--clients 1000] [--rate 500] [--seconds 10]
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
    data: { type: 'string', default: join(process.cwd(), '..', 'shared', 'data') },
  },
})
const streams = Number(values.streams)
const clients = Number(values.clients)
const rate = Number(values.rate)
const seconds = Number(values.seconds)
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
  // One key opens every connection here: the per-key limit is not what is measured.
  ...['--rate-limit', '1000000', '--max-live', '1000000'],
])

const published = new Map<string, number>()
const latencies: number[] = []
let cutOff = 0
const sockets: WebSocket[] = []
for (let c = 0; c < clients; c++) {
  const hash = hashes[c % streams] as string
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
// Every client is followed once the server counts it (an open socket is authenticated after).
const deadline = Date.now() + 60_000
for (;;) {
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
  const following = Number(/^sluice_api_live_consumers (\S+)$/m.exec(metrics)?.[1])
  if (following >= clients) break
  if (Date.now() > deadline) throw new Error(`only ${following} of ${clients} clients followed`)
  await new Promise((r) => setTimeout(r, 100))
}
console.log(
  `bench/live — ${fmt(clients)} WebSocket clients on ${fmt(streams)} streams of one sluice serve (Redis matches channel); publishing ${fmt(rate)} matches/s for ${seconds} s`,
)

const channel = new RedisMatchChannel({
  host: '127.0.0.1',
  port: Number(new URL(redis.url).port),
  prefix,
})
const started = performance.now()
let n = 0
const tick = 20
while (performance.now() - started < seconds * 1000) {
  const due = Math.floor(((performance.now() - started) / 1000) * rate)
  const batch = []
  for (; n < due; n++) {
    const i = base[n % base.length] as Interaction
    const id = `live-${n}`
    batch.push({
      stream: hashes[n % streams] as string,
      interaction: { ...i, interaction: { ...i.interaction, id } },
    })
    published.set(id, performance.now())
  }
  if (batch.length > 0) await channel.publish(batch)
  await new Promise((r) => setTimeout(r, tick))
}
await new Promise((r) => setTimeout(r, 2000))
const expected = n * (clients / streams)
latencies.sort((a, b) => a - b)
const q = (p: number): number =>
  latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN
console.log(
  `   published ${fmt(n)} matches; delivered ${fmt(latencies.length)} of ${fmt(expected)} messages; ${cutOff} clients cut off`,
)
console.log(
  `   latency publish → client: p50 ${q(0.5).toFixed(1)} ms, p99 ${q(0.99).toFixed(1)} ms, max ${(latencies[latencies.length - 1] ?? NaN).toFixed(1)} ms; bench process peak RSS ${fmt(process.resourceUsage().maxRSS / 1024)} MB`,
)
for (const ws of sockets) ws.terminate()
await channel.close()
server.kill('SIGTERM')
await new Promise((r) => server.once('exit', r))
await redis.process.stop()
rmSync(dir, { recursive: true, force: true })
console.log('\ntargets')
console.log(
  `   delivery p99 < ${TARGET_P99_MS} ms with ${fmt(streams)} streams and ${fmt(clients)} clients: ${q(0.99).toFixed(1)} ms — ${q(0.99) < TARGET_P99_MS && latencies.length === expected ? 'MET' : 'NOT MET'}`,
)
