/*
 * bench/replay: issue 9's figures. A master dataset of the real Twitter sample replayed to
 * --records interactions over --days days (built with `shred` unless --store holds one), then:
 *
 *   1. replays of filters on one, two and five targets, each run alone by two
 *      `sluice replay worker` processes on a real Redis: rows scanned per second (wall);
 *   2. DuckDB running each filter written in SQL over the same Parquet files in the same run
 *      (two threads, writing the matches as gzip NDJSON as a replay does), and the ratio;
 *   3. ten replays of different filters made at once (shared scans) against the same ten run
 *      one after another, over the first --shared-days days.
 *
 *   npm run build && npm run bench:replay -- [--records 5000000] [--days 50] [--shared-days 5] [--store DIR]
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { DuckDBInstance } from '@duckdb/node-api'
import { ensureReplayedMaster } from './bench-master.js'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { openJobQueue } from '../infra/adapters/open-job-queue.js'
import { parseQueueUrl } from '../infra/config/adapter-urls.js'
import { startRedis } from '../infra/launchers/redis-launcher.js'
import { readMasterSnapshot } from '../schemas/index.js'
import { listAll } from '../schemas/ports/index.js'
import {
  createReplay,
  ReplayStatusReader,
  type ReplayJob,
  type ReplayStatus,
  type ReplayTask,
} from '../serving/index.js'

const TARGET_ROWS = 1_000_000
const TARGET_DUCKDB_RATIO = 2
const TARGET_SHARED = 5
const DAY_MS = 86_400_000
const START = Date.parse('2026-11-10T00:00:00Z')

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '5000000' },
    days: { type: 'string', default: '50' },
    'shared-days': { type: 'string', default: '5' },
    store: { type: 'string' },
    data: { type: 'string', default: join(process.cwd(), '..', 'shared', 'data') },
  },
})
const records = Number(values.records)
const days = Number(values.days)
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
const dir = values.store ?? join(tmpdir(), 'sluice-bench-replay')
mkdirSync(dir, { recursive: true })
const store = new LocalDirObjectStore(dir)
const SLUICE = join(process.cwd(), 'dist/infra/bin/sluice.js')

console.log(`bench/replay — master dataset in ${dir}`)
await ensureReplayedMaster(store, { records, days, start: START, dataDir: values.data })
const snapshot = await readMasterSnapshot(store)
const parts = [...snapshot.parts.values()]
const rows = parts.reduce((n, p) => n + p.rows, 0)
const from = Math.min(...parts.map((p) => p.createdAtMin))
const to = Math.max(...parts.map((p) => p.createdAtMax)) + 1
console.log(
  `${fmt(rows)} interactions in ${new Set(parts.map((p) => `${p.type}/${p.date}`)).size} partitions\n`,
)

/** A filter in CSDL and the same in DuckDB's SQL (content matched as whole words, any case). */
interface Filter {
  readonly label: string
  readonly csdl: string
  readonly sql: string
}
const word = (w: string): string => `regexp_matches("interaction.content", '(?i)\\b${w}\\b')`
const FILTERS: readonly Filter[] = [
  { label: '1 target', csdl: 'interaction.content contains "vaccine"', sql: word('vaccine') },
  {
    label: '2 targets',
    csdl: 'interaction.content contains "vaccine" and language.tag == "en"',
    sql: `${word('vaccine')} AND "language.tag" = 'en'`,
  },
  {
    label: '5 targets',
    csdl: 'interaction.content contains_any "vaccine, lockdown" and language.tag == "en" and twitter.user.followers_count > 100 and salience.content.sentiment < 0 and not links.domain contains "twitter.com"',
    sql: `(${word('vaccine')} OR ${word('lockdown')}) AND "language.tag" = 'en' AND "twitter.user.followers_count" > 100 AND "salience.content.sentiment" < 0 AND NOT list_contains(coalesce("links.domain", []), 'twitter.com')`,
  },
]
// Ten different filters for the shared-scan run.
const TEN = [
  'covid',
  'vaccine',
  'lockdown',
  'mask',
  'trump',
  'election',
  'love',
  'happy',
  'news',
  'school',
].map((w) => `interaction.content contains "${w}"`)

const redis = await startRedis()
const queueUrl = `${redis.url}?prefix=bench${Date.now()}`
const queue = openJobQueue<ReplayTask>(parseQueueUrl('queue', queueUrl), 'replays')
const workers: ChildProcess[] = [0, 1].map(() =>
  spawn(
    process.execPath,
    [SLUICE, 'replay', 'worker', '--store', `file://${dir}`, '--queue', queueUrl],
    {
      stdio: 'ignore',
    },
  ),
)
const reader = new ReplayStatusReader(store)

async function finished(job: ReplayJob): Promise<ReplayStatus> {
  for (;;) {
    const s = await reader.status(job)
    if (s.state === 'done' || s.state === 'failed') return s
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Makes replays of `filters` at once and waits for all: wall seconds and their statuses. */
async function replays(
  filters: readonly string[],
  until = to,
): Promise<{ wall: number; statuses: ReplayStatus[] }> {
  const t0 = performance.now()
  const jobs: ReplayJob[] = []
  for (const csdl of filters)
    jobs.push(
      await createReplay(store, queue, { owner: 'bench', csdl, from, to: until, format: 'ndjson' }),
    )
  const statuses = await Promise.all(jobs.map(finished))
  return { wall: (performance.now() - t0) / 1000, statuses }
}

const db = await DuckDBInstance.create(':memory:', { threads: '2' })
const duck = await db.connect()
const files = parts.map((p) => `'${join(dir, p.key)}'`).join(', ')
const duckOut = join(tmpdir(), `sluice-bench-replay-duck-${process.pid}.ndjson.gz`)

console.log('1–2. one replay at a time (2 worker processes) beside DuckDB (2 threads)')
const figures: { label: string; ours: number; duck: number }[] = []
for (const f of FILTERS) {
  const { wall, statuses } = await replays([f.csdl])
  const s = statuses[0] as ReplayStatus
  if (s.state !== 'done') throw new Error(`${f.label}: ${s.reason ?? s.state}`)
  const d0 = performance.now()
  await duck.run(
    `COPY (SELECT * FROM read_parquet([${files}]) WHERE ${f.sql} ORDER BY "interaction.created_at", "interaction.id") TO '${duckOut}' (FORMAT json, COMPRESSION gzip)`,
  )
  const duckWall = (performance.now() - d0) / 1000
  const count = await duck.runAndReadAll(
    `SELECT count(*)::INTEGER FROM read_parquet([${files}]) WHERE ${f.sql}`,
  )
  const duckMatches = (count.getRows()[0] as [number])[0]
  figures.push({ label: f.label, ours: s.rowsScanned / wall, duck: rows / duckWall })
  console.log(
    `   ${f.label.padEnd(10)} sluice ${wall.toFixed(1).padStart(6)} s ${fmt(s.rowsScanned / wall).padStart(10)} rows/s, ${fmt(s.matches)} matches | DuckDB ${duckWall.toFixed(1).padStart(6)} s ${fmt(rows / duckWall).padStart(10)} rows/s, ${fmt(duckMatches)} matches | ratio ${(duckWall === 0 ? 0 : wall / duckWall).toFixed(1)}×`,
  )
}
rmSync(duckOut, { force: true })

// The first --shared-days days only: ten replays one after another over everything would take
// ten times the runs above.
const sharedTo = Math.min(to, from + Number(values['shared-days']) * DAY_MS)
const sharedRows = parts.filter((p) => p.createdAtMin < sharedTo).reduce((n, p) => n + p.rows, 0)
console.log(
  `\n3. ten replays of different filters over the first ${values['shared-days']} days (${fmt(sharedRows)} rows): made at once (shared scans) vs one after another`,
)
const together = await replays(TEN, sharedTo)
let apart = 0
for (const csdl of TEN) apart += (await replays([csdl], sharedTo)).wall
const sameMatches = together.statuses.map((s) => s.matches)
console.log(
  `   at once: ${together.wall.toFixed(1)} s; one after another: ${apart.toFixed(1)} s; ${(apart / together.wall).toFixed(1)}× (matches ${sameMatches.map(fmt).join(', ')})`,
)
console.log(`   peak RSS of the bench process ${fmt(process.resourceUsage().maxRSS / 1024)} MB`)

for (const w of workers) w.kill('SIGTERM')
await queue.close()
await redis.process.stop()
duck.closeSync()
// The replays' output is not kept.
for await (const o of listAll(store, 'replays/')) await store.delete(o.key)

const two = figures[1] as { ours: number; duck: number }
console.log('\ntargets')
console.log(
  `   two-target filter >= ${fmt(TARGET_ROWS)} rows/s: ${fmt(two.ours)} — ${two.ours >= TARGET_ROWS ? 'MET' : 'NOT MET'}`,
)
console.log(
  `   within ${TARGET_DUCKDB_RATIO}× of DuckDB (two targets): ${(two.duck / two.ours).toFixed(1)}× — ${two.duck / two.ours <= TARGET_DUCKDB_RATIO ? 'MET' : 'NOT MET'}`,
)
console.log(
  `   shared scans >= ${TARGET_SHARED}× faster than sequential: ${(apart / together.wall).toFixed(1)}× — ${apart / together.wall >= TARGET_SHARED ? 'MET' : 'NOT MET'}`,
)
