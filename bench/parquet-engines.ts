/*
 * bench/parquet-engines: the Parquet engines issue 5 may choose from, on the same data — real
 * interactions (the Twitter v1.1 sample, normalized by Sluice, cycled to --rows with fresh ids)
 * in seven columns of the master dataset — measured in one process: rows/s written (ZSTD where
 * the engine has it, else Snappy), file size, and rows/s of a two-column projected read into
 * JavaScript. DuckDB reads the file parquet-wasm wrote (and checks the count and distinct ids).
 *
 *   npm run build && node dist/bench/parquet-engines.js [--rows 1000000] [--data ../shared/data]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { gunzipSync } from 'node:zlib'
import { DuckDBInstance } from '@duckdb/node-api'
import {
  Int32,
  TimestampMillisecond,
  Utf8,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
  Table as ArrowTable,
} from 'apache-arrow'
import { parquetReadObjects } from 'hyparquet'
import { parquetWriteBuffer } from 'hyparquet-writer'
import * as pw from 'parquet-wasm'
import {
  arrowTypeOf,
  augment,
  encodeInteraction,
  normalizeLine,
  SCHEMA_TREE,
  TARGETS,
  type Interaction,
  type SchemaNode,
  type TargetType,
} from '../schemas/index.js'
import { writeParquetPart } from '../shredder/index.js'

const DUCK_TYPES: Readonly<Record<TargetType, string>> = {
  string: 'VARCHAR',
  int: 'INTEGER',
  long: 'BIGINT',
  float: 'DOUBLE',
  bool: 'BOOLEAN',
  timestamp: 'TIMESTAMPTZ',
  geo: 'STRUCT(latitude DOUBLE, longitude DOUBLE)',
}

function valueAt(i: Interaction, path: string): unknown {
  let node: unknown = i
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined
    node = (node as Record<string, unknown>)[part]
  }
  return node
}

/** Normalized, augmented real tweets cycled to `n` with fresh ids. */
function realInteractions(n: number): Interaction[] {
  const lines = gunzipSync(readFileSync(join(values.data, 'twitter-v1-sample.jsonl.gz')))
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '')
  const out: Interaction[] = []
  for (let r = 0; r < n; r++) {
    const o = normalizeLine(lines[r % lines.length] as string, 'twitter-v1')
    if (o.kind !== 'interactions') continue
    for (const i of o.interactions) {
      augment(i)
      if (i.interaction !== undefined)
        (i.interaction as { id: string }).id = `${i.interaction.id}-${Math.floor(r / lines.length)}`
      out.push(i)
    }
  }
  return out
}

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    data: { type: 'string', default: join(process.cwd(), '..', 'shared', 'data') },
    'full-rows': { type: 'string', default: '100000' },
  },
})
const rows = Number(values.rows)
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
const PROJECTED = ['interaction.id', 'interaction.created_at'] as const

interface Columns {
  id: string[]
  createdAt: number[]
  type: string[]
  author: (string | null)[]
  content: (string | null)[]
  language: (string | null)[]
  followers: (number | null)[]
}

function realColumns(): Columns {
  const lines = gunzipSync(readFileSync(join(values.data, 'twitter-v1-sample.jsonl.gz')))
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '')
  const base = lines.flatMap((l) => {
    const o = normalizeLine(l, 'twitter-v1')
    return o.kind === 'interactions' ? o.interactions : []
  })
  const c: Columns = {
    id: [],
    createdAt: [],
    type: [],
    author: [],
    content: [],
    language: [],
    followers: [],
  }
  for (let r = 0; r < rows; r++) {
    const i = base[r % base.length]
    const pass = Math.floor(r / base.length)
    c.id.push(`${i?.interaction?.id ?? ''}${pass === 0 ? '' : `-${pass}`}`)
    c.createdAt.push(i?.interaction?.created_at ?? 0)
    c.type.push(i?.interaction?.type ?? 'twitter')
    c.author.push(i?.interaction?.author?.username ?? null)
    c.content.push(i?.interaction?.content ?? null)
    c.language.push(i?.language?.tag ?? null)
    c.followers.push(i?.twitter?.user?.followers_count ?? null)
  }
  return c
}

function time<T>(run: () => T): [T, number] {
  const t = performance.now()
  const out = run()
  return [out, (performance.now() - t) / 1000]
}
async function timeAsync<T>(run: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now()
  const out = await run()
  return [out, (performance.now() - t) / 1000]
}

const cols = realColumns()
const work = mkdtempSync(join(tmpdir(), 'sluice-bench-parquet-'))
console.log(
  `bench/parquet-engines — ${fmt(rows)} real interactions, 7 columns; projected read of ${PROJECTED.join(', ')}`,
)
console.log('engine                      write rows/s     file MB   projected read rows/s')

// parquet-wasm: Arrow table → IPC → Rust writer (ZSTD, 128k-row groups, statistics).
const [pwBytes, pwWrite] = time(() => {
  const table = new ArrowTable({
    'interaction.id': vectorFromArray(cols.id, new Utf8()),
    'interaction.created_at': vectorFromArray(
      cols.createdAt.map((t) => new Date(t)),
      new TimestampMillisecond(),
    ),
    'interaction.type': vectorFromArray(cols.type, new Utf8()),
    'interaction.author.username': vectorFromArray(cols.author, new Utf8()),
    'interaction.content': vectorFromArray(cols.content, new Utf8()),
    'language.tag': vectorFromArray(cols.language, new Utf8()),
    'twitter.user.followers_count': vectorFromArray(cols.followers, new Int32()),
  })
  const props = new pw.WriterPropertiesBuilder()
    .setCompression(pw.Compression.ZSTD)
    .setMaxRowGroupSize(128 * 1024)
    .build()
  return pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(table, 'stream')), props)
})
// readParquet() ignores `columns` in 0.8 (it decodes every column); ParquetFile.read projects.
const [pwRows, pwRead] = await timeAsync(async () => {
  const file = await pw.ParquetFile.fromFile(new Blob([pwBytes as Uint8Array<ArrayBuffer>]))
  const t = tableFromIPC((await file.read({ columns: [...PROJECTED] })).intoIPCStream())
  // Touch every id, as the other engines hand over JavaScript values.
  let n = 0
  const ids = t.getChild('interaction.id')
  for (let i = 0; i < t.numRows; i++) if (ids?.get(i) !== null) n++
  return { n, columns: t.schema.fields.map((f) => f.name) }
})
console.log(
  `parquet-wasm 0.8 (ZSTD)    ${fmt(rows / pwWrite).padStart(12)}   ${(pwBytes.length / 1e6).toFixed(1).padStart(9)}   ${fmt(pwRows.n / pwRead).padStart(12)}  (columns read: ${pwRows.columns.length})`,
)

// hyparquet-writer / hyparquet: pure JavaScript (Snappy; ZSTD needs a compressor plugin).
const [hyBytes, hyWrite] = time(() =>
  parquetWriteBuffer({
    columnData: [
      { name: 'interaction.id', data: cols.id, type: 'STRING' },
      {
        name: 'interaction.created_at',
        data: cols.createdAt.map((t) => new Date(t)),
        type: 'TIMESTAMP',
      },
      { name: 'interaction.type', data: cols.type, type: 'STRING' },
      { name: 'interaction.author.username', data: cols.author, type: 'STRING' },
      { name: 'interaction.content', data: cols.content, type: 'STRING' },
      { name: 'language.tag', data: cols.language, type: 'STRING' },
      { name: 'twitter.user.followers_count', data: cols.followers, type: 'INT32' },
    ],
    rowGroupSize: 128 * 1024,
  }),
)
const [hyRows, hyRead] = await timeAsync(async () => {
  const file = hyBytes.slice(0)
  const out = await parquetReadObjects({ file, columns: [...PROJECTED] })
  return out.length
})
console.log(
  `hyparquet 1.31 (Snappy)    ${fmt(rows / hyWrite).padStart(12)}   ${(hyBytes.byteLength / 1e6).toFixed(1).padStart(9)}   ${fmt(hyRows / hyRead).padStart(12)}`,
)

// DuckDB reads parquet-wasm's file: interoperability, and its projected scan into JS.
const path = join(work, 'part.parquet')
writeFileSync(path, pwBytes)
const db = await DuckDBInstance.create()
const conn = await db.connect()
const check = await conn.runAndReadAll(
  `SELECT count(*)::INTEGER AS n, count(DISTINCT "interaction.id")::INTEGER AS ids FROM read_parquet('${path}')`,
)
const [[n, ids]] = check.getRows() as [[number, number]]
const [duckRows, duckRead] = await timeAsync(async () => {
  const r = await conn.runAndReadAll(
    `SELECT "interaction.id", "interaction.created_at" FROM read_parquet('${path}')`,
  )
  return r.getColumnsJS()[0]?.length ?? 0
})
console.log(
  `DuckDB 1.5 (reads the ZSTD file)      —           —   ${fmt(duckRows / duckRead).padStart(12)}  (count ${fmt(n)}, distinct ids ${fmt(ids)})`,
)

// Full width: what the shredder actually writes — every target of the schema (196 columns, about
// 140 filled per tweet) — by the engines that can take the nested schema from JavaScript.
const fullRows = Number(values['full-rows'])
const normalized = realInteractions(fullRows)
console.log(
  `\nfull width — ${fmt(fullRows)} real interactions, all ${TARGETS.length} targets (rows per CPU-second, all threads)`,
)
const cpuOf = (since: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since)
  return (u.user + u.system) / 1e6
}
writeParquetPart(normalized.slice(0, 2000)) // warm the wasm module
let c0 = process.cpuUsage()
const sluiceBytes = writeParquetPart(normalized)
const sluiceCpu = cpuOf(c0)
console.log(
  `parquet-wasm + Sluice's column builders (ZSTD)   ${fmt(fullRows / sluiceCpu).padStart(9)} rows/s   ${(sluiceBytes.length / 1e6).toFixed(1)} MB`,
)
const naiveRows = Math.min(fullRows, 20_000)
c0 = process.cpuUsage()
const naiveTable = new ArrowTable(
  Object.fromEntries(
    TARGETS.map((def) => [
      def.path,
      vectorFromArray(
        normalized.slice(0, naiveRows).map((i) => valueAt(i, def.path) ?? null),
        arrowTypeOf(def),
      ),
    ]),
  ),
)
const naiveBytes = pw.writeParquet(
  pw.Table.fromIPCStream(tableToIPC(naiveTable, 'stream')),
  new pw.WriterPropertiesBuilder().setCompression(pw.Compression.ZSTD).build(),
)
const naiveCpu = cpuOf(c0)
console.log(
  `parquet-wasm + Arrow JS vectorFromArray (naive)  ${fmt(naiveRows / naiveCpu).padStart(9)} rows/s   (${fmt(naiveRows)} rows, ${(naiveBytes.length / 1e6).toFixed(1)} MB)`,
)
// DuckDB takes rows from JavaScript most cheaply as NDJSON it parses itself.
const ndjson = join(work, 'interactions.ndjson')
c0 = process.cpuUsage()
writeFileSync(ndjson, `${normalized.map(encodeInteraction).join('\n')}\n`)
const encodeCpu = cpuOf(c0)
const duckType = (node: SchemaNode): string => {
  if (node.kind === 'leaf') {
    const base = DUCK_TYPES[node.def.type]
    return node.def.list ? `${base}[]` : base
  }
  return `STRUCT(${[...node.children].map(([k, c]) => `"${k}" ${duckType(c)}`).join(', ')})`
}
const columnsSpec = `{${[...SCHEMA_TREE.children].map(([k, c]) => `'${k}': '${duckType(c)}'`).join(', ')}}`
const select = TARGETS.map(
  (d) =>
    `${d.path
      .split('.')
      .map((s) => `"${s}"`)
      .join('.')} AS "${d.path}"`,
).join(', ')
c0 = process.cpuUsage()
await conn.run(
  `COPY (SELECT ${select} FROM read_json('${ndjson}', format = 'newline_delimited', columns = ${columnsSpec})) TO '${join(work, 'duck.parquet')}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 131072)`,
)
const duckCpu = cpuOf(c0)
console.log(
  `DuckDB COPY from NDJSON (ZSTD)                   ${fmt(fullRows / duckCpu).padStart(9)} rows/s   (plus ${fmt(fullRows / encodeCpu)} rows/s to encode the NDJSON in JS: ${fmt(fullRows / (duckCpu + encodeCpu))} rows/s together)`,
)
rmSync(work, { recursive: true, force: true })
