/*
 * bench/shred: issue 5's figures. The real Twitter v1.1 sample is replayed to --records raw
 * records as a firehose would deliver them: each record keeps its text and entities but gets a
 * fresh tweet id and a creation time in arrival order over --days days (the sample itself
 * spans 13 years, which would put a handful of tweets in each of a thousand day partitions).
 * They are written as gzip raw-log segments in a local-directory store, then:
 *
 *   1. `shred` end to end (raw segments → published Parquet parts), records per CPU-second,
 *      split into decompression and envelopes, normalize+augment, and the Parquet part
 *      (Arrow columns + Parquet encoding); peak RSS;
 *   2. compaction of the resulting parts;
 *   3. a projected scan of two columns (interaction.id, interaction.created_at) through the
 *      master reader as Arrow batches; the same with every id materialized as a JS string; and
 *      DuckDB reading the same two columns of the same files into JavaScript, as the peer.
 *
 *   npm run build && npm run bench:shred -- [--records 1000000] [--keep DIR]
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { DuckDBInstance } from '@duckdb/node-api'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { emptyScanStats, readMasterSnapshot, scanMaster } from '../schemas/index.js'
import { compactMaster, shred, SHRED_DEFAULTS } from '../shredder/index.js'
import { writeReplayedSegments } from './replayed-firehose.js'

const TARGETS = { endToEnd: 20_000, part: 150_000, scan: 2_000_000 }
const SEGMENT_RECORDS = 20_000
const DAY_MS = 86_400_000

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    data: { type: 'string', default: join(process.cwd(), '..', 'shared', 'data') },
    keep: { type: 'string' },
    days: { type: 'string', default: '3' },
  },
})
const records = Number(values.records)
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
const verdict = (ok: boolean): string => (ok ? 'MET' : 'NOT MET')

const START = Date.parse('2026-11-20T00:00:00Z')

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since)
  return (u.user + u.system) / 1e6
}

let peakRss = 0
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
}, 100)

const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'sluice-bench-shred-'))
if (values.keep !== undefined && existsSync(join(dir, 'master')))
  rmSync(join(dir, 'master'), { recursive: true })
mkdirSync(dir, { recursive: true })
const store = new LocalDirObjectStore(dir)

console.log(
  `bench/shred — the real Twitter v1.1 sample replayed to ${fmt(records)} raw records (fresh ids, arrival times over ${values.days} days), gzip segments of ${fmt(SEGMENT_RECORDS)} in a local-directory store`,
)
const rawExists = existsSync(join(dir, 'raw'))
const raw = rawExists
  ? undefined
  : await writeReplayedSegments(store, {
      dataDir: values.data,
      records,
      start: START,
      windowMs: Number(values.days) * DAY_MS,
      segmentRecords: SEGMENT_RECORDS,
    })
if (raw !== undefined)
  console.log(
    `raw segments: ${(raw.raw / 1e6).toFixed(0)} MB raw, ${(raw.bytes / 1e6).toFixed(0)} MB gzip`,
  )

// 1. shred end to end
peakRss = process.memoryUsage().rss
const cpu0 = process.cpuUsage()
const t0 = performance.now()
const report = await shred({ store, compact: false })
const wall = (performance.now() - t0) / 1000
const cpu = cpuSeconds(cpu0)
const shredRss = peakRss
const perCore = report.interactions / cpu
console.log(
  `\n1. shred end to end (chunks of ${SHRED_DEFAULTS.chunkBytes / 1024 / 1024} MB gzip, one commit each)`,
)
console.log(
  `   ${fmt(report.lines)} lines → ${fmt(report.interactions)} interactions published (${fmt(report.duplicates)} duplicates dropped, ${report.rejected} rejected) in ${report.partsWritten} parts over ${report.partitions.size} partitions`,
)
console.log(
  `   wall ${wall.toFixed(1)} s = ${fmt(report.interactions / wall)} interactions/s; CPU ${cpu.toFixed(1)} s (all threads) = ${fmt(perCore)} interactions per CPU-second; peak RSS ${fmt(shredRss / 1e6)} MB`,
)
const other = wall * 1000 - report.readMs - report.normalizeMs - report.writeMs - report.publishMs
console.log(
  `   main-thread time: waiting for fetch+gunzip ${(report.readMs / 1000).toFixed(1)} s, envelopes+normalize+augment ${(report.normalizeMs / 1000).toFixed(1)} s (${fmt(report.interactions / (report.normalizeMs / 1000))}/s), Parquet part ${(report.writeMs / 1000).toFixed(1)} s (${fmt(report.rowsWritten / (report.writeMs / 1000))} rows/s), store writes+commits ${(report.publishMs / 1000).toFixed(1)} s, dedup and the rest ${(other / 1000).toFixed(1)} s`,
)

// 2. compaction
const snapshot = await readMasterSnapshot(store)
const c0 = performance.now()
const compacted = await compactMaster(store, snapshot, { partRows: SHRED_DEFAULTS.partRows })
const cwall = (performance.now() - c0) / 1000
const rowsCompacted = [...snapshot.parts.values()]
  .filter((p) => compacted.snapshot.retired.has(p.key))
  .reduce((n, p) => n + p.rows, 0)
console.log(
  `\n2. compaction: ${compacted.partsMerged} parts into ${compacted.partsWritten} (${fmt(rowsCompacted)} rows) in ${cwall.toFixed(1)} s = ${fmt(rowsCompacted / cwall)} rows/s (Arrow in, Parquet out, no row objects)`,
)

// 3. projected scans
const columns = ['interaction.id', 'interaction.created_at']
const scanOnce = async (materialize: boolean) => {
  const stats = emptyScanStats()
  const s0 = process.cpuUsage()
  const w0 = performance.now()
  let chars = 0
  for await (const batch of scanMaster(store, { columns }, stats)) {
    if (!materialize) continue
    const ids = batch.getChild('interaction.id')
    for (let r = 0; r < batch.numRows; r++) chars += (ids?.get(r) as string).length
  }
  return { stats, wall: (performance.now() - w0) / 1000, cpu: cpuSeconds(s0), chars }
}
await scanOnce(false) // warm the page cache and the wasm module
const arrow = await scanOnce(false)
const strings = await scanOnce(true)
const duck = await (await DuckDBInstance.create(':memory:', { threads: '1' })).connect()
const d0 = performance.now()
const dcpu = process.cpuUsage()
const published = [...(await readMasterSnapshot(store)).parts.keys()].map(
  (k) => `'${join(dir, k)}'`,
)
const reader = await duck.streamAndReadAll(
  `SELECT "interaction.id", "interaction.created_at" FROM read_parquet([${published.join(', ')}])`,
)
const duckRows = reader.getColumnsJS()[0]?.length ?? 0
const dwall = (performance.now() - d0) / 1000
const dcpus = cpuSeconds(dcpu)
const rows = arrow.stats.rowsYielded
console.log(
  `\n3. projected scan of ${columns.join(', ')} over ${fmt(rows)} rows in ${arrow.stats.partsRead} parts (${(arrow.stats.bytesFetched / 1e6).toFixed(0)} MB fetched)`,
)
console.log(
  `   master reader, Arrow batches:          ${fmt(rows / arrow.wall)} rows/s wall, ${fmt(rows / arrow.cpu)} rows per CPU-second`,
)
console.log(
  `   master reader, every id as a JS string: ${fmt(rows / strings.wall)} rows/s wall, ${fmt(rows / strings.cpu)} rows per CPU-second`,
)
console.log(
  `   DuckDB 1 thread, both columns into JS:  ${fmt(duckRows / dwall)} rows/s wall, ${fmt(duckRows / dcpus)} rows per CPU-second (the published parts: ${fmt(duckRows)} rows)`,
)

console.log('\ntargets')
console.log(
  `   shred end to end >= ${fmt(TARGETS.endToEnd)} real tweets/s per core: ${fmt(perCore)} — ${verdict(perCore >= TARGETS.endToEnd)}`,
)
const partRate = report.rowsWritten / (report.writeMs / 1000)
console.log(
  `   Parquet part alone >= ${fmt(TARGETS.part)} rows/s: ${fmt(partRate)} — ${verdict(partRate >= TARGETS.part)}`,
)
const scanRate = rows / arrow.cpu
console.log(
  `   projected scan >= ${fmt(TARGETS.scan)} rows/s per core: ${fmt(scanRate)} — ${verdict(scanRate >= TARGETS.scan)}`,
)
clearInterval(sampler)
duck.closeSync()
if (values.keep === undefined) rmSync(dir, { recursive: true, force: true })
