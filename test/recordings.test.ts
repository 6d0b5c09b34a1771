import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { Writable } from 'node:stream'
import { gunzipSync } from 'node:zlib'
import { DuckDBInstance } from '@duckdb/node-api'
import { parse as parseCsv } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HANDOFF_QUEUE, type HandoffJob } from '../schemas/index.js'
import { retimedTweet } from '../collectors/index.js'
import { openJobQueue } from '../infra/adapters/open-job-queue.js'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { LevelSpeedStore } from '../infra/adapters/speed-store/level-speed-store.js'
import { runRecordingsDownload } from '../infra/cli/recordings-command.js'
import type { ApiService } from '../infra/serve/api-service.js'
import { FilterSet, StreamCatalog, type CompiledDefinition } from '../query-dsl/index.js'
import { envelopePrefix, VIEWS } from '../schemas/index.js'
import { listAll, type JobQueue, type QueueConsumer } from '../schemas/ports/index.js'
import { ApiKeys } from '../serving/index.js'
import { RecordingAppender, recordingLogPrefix, SpeedWorker } from '../speed/index.js'
import { startEmbeddedApi } from './support/embedded-api.js'
import { dataLines } from './support/shared-data.js'
import { tempDir } from './support/temp-dir.js'
import { until } from './support/until.js'
import { expectedRecording } from './support/recording-oracle.js'

const quiet = new Writable({ write: (_c, _e, done) => done() })

interface Answer<T> {
  data?: T
  errors?: { message: string; extensions?: { code?: string } }[]
}

interface Chunk {
  name: string
  url: string
  bytes: number
  records: number
  sha256: string
}

interface Recording {
  id: string
  state: string
  format: string
  fields: string[]
  records: number
  bytes: number
  chunks: Chunk[]
  manifestUrl: string | null
}

const FIELDS =
  'id state format fields records bytes manifestUrl chunks { name url bytes records sha256 }'
const CSV_FIELDS = [
  'interaction.id',
  'interaction.created_at',
  'interaction.content',
  'interaction.hashtags',
  'interaction.geo',
]

describe('scheduled recordings (embedded: local directory, LevelDB, in-process queue)', () => {
  const dir = tempDir('recordings')
  const store = new LocalDirObjectStore(`${dir.path}/store`)
  const handoff: JobQueue<HandoffJob> = openJobQueue<HandoffJob>({ kind: 'memory' }, HANDOFF_QUEUE)
  let speedStore: LevelSpeedStore
  let api: ApiService
  let consumer: QueueConsumer
  let stopFollowing: () => void = () => undefined
  let worker: SpeedWorker
  let key = ''
  let otherKey = ''
  let english: CompiledDefinition
  const tweets = dataLines('twitter-v1-sample.jsonl.gz')

  const ask = async <T>(
    query: string,
    variables: Record<string, unknown> = {},
    k = key,
  ): Promise<Answer<T>> => {
    const res = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': k },
      body: JSON.stringify({ query, variables }),
    })
    return (await res.json()) as Answer<T>
  }
  const schedule = (vars: Record<string, unknown>) =>
    ask<{ scheduleRecording: Recording }>(
      `mutation($stream: ID!, $start: DateTime!, $end: DateTime!, $format: RecordingFormat, $fields: [String!]) {
        scheduleRecording(stream: $stream, start: $start, end: $end, format: $format, fields: $fields) { ${FIELDS} } }`,
      { stream: english.hash, ...vars },
    )
  const recording = async (id: string, k = key): Promise<Recording | null> =>
    (
      await ask<{ recording: Recording | null }>(
        `query($id: ID!) { recording(id: $id) { ${FIELDS} } }`,
        { id },
        k,
      )
    ).data?.recording ?? null
  const download = async (path: string, headers: Record<string, string> = {}, k = key) =>
    fetch(`${api.url}${path}`, { headers: { 'x-api-key': k, ...headers } })

  beforeAll(async () => {
    const keys = new ApiKeys(store)
    const alice = await keys.create('alice')
    key = alice.key
    otherKey = (await keys.create('bob')).key
    const catalog = new StreamCatalog(store)
    const { hash } = await catalog.create('language.tag == "en"', 'english', alice.record.id)
    english = (await catalog.definitions()).find((d) => d.hash === hash) as CompiledDefinition
    const set = new FilterSet()
    set.add(english)
    speedStore = await LevelSpeedStore.open(`${dir.path}/speed`)
    const appender = new RecordingAppender(store)
    stopFollowing = appender.follow((e) => {
      throw e
    })
    worker = new SpeedWorker({
      store: speedStore,
      views: VIEWS,
      routes: 4,
      ttlSeconds: 3600,
      flushMs: 5,
      streams: () => set,
      watermark: () => -Infinity,
      record: (job, matches) => appender.append(job, matches),
    })
    consumer = handoff.consume((job) => worker.handle(job.id, job.data), { concurrency: 2 })
    api = await startEmbeddedApi(store, speedStore, `${dir.path}/cache`, {
      handoff,
      recordingSettleMs: 500,
      maxRecordings: 4,
      recordingChunkRecords: 100,
    })
  }, 60_000)
  afterAll(async () => {
    stopFollowing()
    await api.close()
    await consumer.close()
    await handoff.close()
    await speedStore.close()
    dir.remove()
  })

  it('refuses what cannot be recorded, saying what to do instead', async () => {
    const now = Date.now()
    const refusal = async (vars: Record<string, unknown>) => {
      const a = await schedule(vars)
      return { code: a.errors?.[0]?.extensions?.code, message: a.errors?.[0]?.message ?? '' }
    }
    const past = await refusal({
      start: new Date(now - 60_000).toISOString(),
      end: new Date(now + 60_000).toISOString(),
    })
    expect(past.code).toBe('BAD_USER_INPUT')
    expect(past.message).toMatch(/in the past.*createReplay/)
    expect((await refusal({ start: now + 1000, end: now + 60_000 })).message).toMatch(
      /at least 5 s ahead/,
    )
    expect((await refusal({ start: now + 60_000, end: now + 60_000 })).message).toMatch(
      /must follow start/,
    )
    expect(
      (await refusal({ start: now + 60_000, end: now + 120_000, fields: ['interaction.id'] }))
        .message,
    ).toMatch(/use format CSV/)
    expect(
      (
        await refusal({
          start: now + 60_000,
          end: now + 120_000,
          format: 'CSV',
          fields: ['interaction.nope'],
        })
      ).message,
    ).toMatch(/interaction.nope is not a target/)
    // Another key's stream (or none): not found.
    const b = await ask<unknown>(
      `mutation($s: ID!, $start: DateTime!, $end: DateTime!) { scheduleRecording(stream: $s, start: $start, end: $end) { id } }`,
      { s: english.hash, start: now + 60_000, end: now + 120_000 },
      otherKey,
    )
    expect(b.errors?.[0]?.extensions?.code).toBe('NOT_FOUND')
  })

  it('records a stream between two times into NDJSON, CSV and Parquet, each match once though jobs are resent and redelivered', async () => {
    const start = Math.ceil((Date.now() + 6500) / 1000) * 1000
    const end = start + 3000
    const made = await Promise.all([
      schedule({ start, end, format: 'NDJSON' }),
      schedule({ start, end, format: 'CSV', fields: CSV_FIELDS }),
      schedule({ start, end, format: 'PARQUET' }),
      schedule({ start: start + 60_000, end: start + 120_000 }),
    ])
    for (const m of made) expect(m.errors).toBeUndefined()
    const [ndjson, csv, parquet, spare] = made.map(
      (m) => m.data?.scheduleRecording as Recording,
    ) as [Recording, Recording, Recording, Recording]
    expect(ndjson.state).toBe('SCHEDULED')
    expect(csv.fields).toEqual(CSV_FIELDS)
    // The fifth at once is over the key's limit; cancelling one before its start frees a place.
    const over = await schedule({ start: start + 60_000, end: start + 120_000 })
    expect(over.errors?.[0]?.extensions?.code).toBe('LIMIT_EXCEEDED')
    const cancelled = await ask<{ cancelRecording: Recording }>(
      `mutation($id: ID!) { cancelRecording(id: $id) { state } }`,
      {
        id: spare.id,
      },
    )
    expect(cancelled.data?.cancelRecording.state).toBe('CANCELLED')
    const deleted = await ask<unknown>(`mutation($id: ID!) { deleteRecording(id: $id) { id } }`, {
      id: spare.id,
    })
    expect(deleted.errors).toBeUndefined()
    expect(await recording(spare.id)).toBeNull()
    // Another key sees none of them.
    expect(await recording(ndjson.id, otherKey)).toBeNull()

    // The firehose: tweets created now, every 100 ms; every 5th job sent again under another id
    // (a collector resending), and one job handled twice (redelivered after a crash).
    const sent: string[] = []
    let job = 0
    let states = new Set<string>()
    const feeding = (async () => {
      while (Date.now() < end + 1500) {
        const lines = Array.from({ length: 12 }, (_, n) =>
          retimedTweet(
            tweets[(job * 12 + n) % tweets.length] as string,
            Date.now(),
            Math.floor((job * 12 + n) / tweets.length),
          ),
        )
        sent.push(...lines)
        const data: HandoffJob = {
          collector: 't',
          segment: job,
          firstSeq: 0,
          lines: lines.map(
            (l, n) =>
              `${envelopePrefix('twitter-v1', new Date().toISOString(), 't', job, n, undefined)}${l}}`,
          ),
        }
        await handoff.add([{ id: `t-${job}`, data }])
        if (job % 5 === 0) await handoff.add([{ id: `t-${job}-again`, data }])
        if (job === 40) await worker.handle(`t-${job}`, data)
        job++
        states.add((await recording(ndjson.id))?.state ?? '')
        await new Promise((r) => setTimeout(r, 100))
      }
    })()
    await feeding
    await until(
      'the three recordings done',
      async () =>
        (await Promise.all([ndjson, csv, parquet].map((r) => recording(r.id)))).every(
          (r) => r?.state === 'DONE',
        ),
      30_000,
    )
    expect([...states]).toEqual(expect.arrayContaining(['SCHEDULED', 'RECORDING']))
    const expected = expectedRecording(sent, english, start, end)
    expect(expected.length).toBeGreaterThan(20)

    // NDJSON: the records, in order, each once, marked with the stream.
    const done = (await recording(ndjson.id)) as Recording
    expect(done.records).toBe(expected.length)
    expect(done.chunks.length).toBeGreaterThan(1)
    const lines: {
      interaction: { id: string; content?: string }
      sluice: { streams: string[] }
    }[] = []
    for (const c of done.chunks) {
      const res = await download(c.url)
      expect(res.status).toBe(200)
      for (const l of gunzipSync(Buffer.from(await res.arrayBuffer()))
        .toString('utf8')
        .split('\n'))
        if (l !== '') lines.push(JSON.parse(l) as (typeof lines)[number])
    }
    expect(lines.map((l) => l.interaction.id)).toEqual(expected)
    expect(lines.every((l) => l.sluice.streams[0] === english.hash)).toBe(true)
    const contentOf = new Map(lines.map((l) => [l.interaction.id, l.interaction.content ?? '']))

    // CSV: the chosen columns, quoting intact (contents with commas, quotes and line breaks).
    const csvDone = (await recording(csv.id)) as Recording
    const rows: Record<string, string>[] = []
    for (const c of csvDone.chunks) {
      const text = gunzipSync(Buffer.from(await (await download(c.url)).arrayBuffer())).toString(
        'utf8',
      )
      expect(text.split('\r\n')[0]).toBe(CSV_FIELDS.join(','))
      rows.push(...parseCsv<Record<string, string>>(text, { columns: true }))
    }
    expect(rows.map((r) => r['interaction.id'])).toEqual(expected)
    for (const r of rows)
      expect(r['interaction.content']).toBe(contentOf.get(r['interaction.id'] ?? ''))
    expect(rows.some((r) => /[",\n]/.test(r['interaction.content'] ?? ''))).toBe(true)
    expect(rows.every((r) => new Date(r['interaction.created_at'] ?? '').getTime() >= start)).toBe(
      true,
    )

    // Parquet, read by DuckDB.
    const parquetDone = (await recording(parquet.id)) as Recording
    const duck = await (await DuckDBInstance.create(':memory:')).connect()
    try {
      const ids: string[] = []
      for (const c of parquetDone.chunks) {
        const rowsOf = (
          await duck.runAndReadAll(
            `SELECT "interaction.id" FROM read_parquet('${dir.path}/store${c.url}')`,
          )
        ).getRows() as [string][]
        ids.push(...rowsOf.map(([id]) => id))
      }
      expect(ids).toEqual(expected)
    } finally {
      duck.closeSync()
    }

    // The log is gone once finalized; the manifest says what is there.
    for await (const o of listAll(store, recordingLogPrefix(ndjson.id)))
      throw new Error(`left: ${o.key}`)
    const manifest = (await (await download(done.manifestUrl as string)).json()) as {
      records: number
      chunks: unknown[]
    }
    expect(manifest.records).toBe(expected.length)

    // Downloads: a range, another key refused, cancelling a finished one refused.
    const first = done.chunks[0] as Chunk
    const whole = Buffer.from(await (await download(first.url)).arrayBuffer())
    const part = await download(first.url, { range: 'bytes=10-99' })
    expect(part.status).toBe(206)
    expect(Buffer.from(await part.arrayBuffer())).toEqual(whole.subarray(10, 100))
    expect((await download(first.url, {}, otherKey)).status).toBe(404)
    const late = await ask<unknown>(`mutation($id: ID!) { cancelRecording(id: $id) { id } }`, {
      id: done.id,
    })
    expect(late.errors?.[0]?.message).toMatch(/already done/)

    // sluice recordings download: resumes a half-fetched chunk, joins chunks into one file.
    const out = `${dir.path}/english.ndjson`
    await mkdir(`${out}.parts`, { recursive: true })
    await writeFile(`${out}.parts/${first.name}`, whole.subarray(0, Math.floor(whole.length / 2)))
    const got = await runRecordingsDownload({
      api: api.url,
      key,
      id: done.id,
      out,
      progress: false,
      stderr: quiet,
    })
    expect(got.records).toBe(expected.length)
    const joined = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as (typeof lines)[number]).interaction.id)
    expect(joined).toEqual(expected)
    // CSV as one file, plain and gzip-compressed as the name asks: every field intact for
    // csv-parse held to CRLF records and for DuckDB's read_csv.
    for (const name of ['english.csv', 'english.csv.gz']) {
      const file = `${dir.path}/${name}`
      await runRecordingsDownload({
        api: api.url,
        key,
        id: csv.id,
        out: file,
        progress: false,
        stderr: quiet,
      })
      const bytes = await readFile(file)
      const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b
      expect(gzipped).toBe(name.endsWith('.gz'))
      const text = (gzipped ? gunzipSync(bytes) : bytes).toString('utf8')
      const parsed = parseCsv<Record<string, string>>(text, {
        columns: true,
        record_delimiter: '\r\n',
      })
      expect(parsed.map((r) => r['interaction.id'])).toEqual(expected)
      for (const r of parsed)
        expect(r['interaction.content']).toBe(contentOf.get(r['interaction.id'] ?? ''))
      const duckCsv = await (await DuckDBInstance.create(':memory:')).connect()
      try {
        const read = (
          await duckCsv.runAndReadAll(
            `SELECT "interaction.id", "interaction.content" FROM read_csv('${file}', header = true, all_varchar = true)`,
          )
        ).getRows() as [string, string | null][]
        expect(read.map(([id]) => id)).toEqual(expected)
        for (const [id, content] of read) expect(content ?? '').toBe(contentOf.get(id))
      } finally {
        duckCsv.closeSync()
      }
    }
    // The contents held what breaks careless CSV: line breaks, quotes, commas, emoji.
    const contents = [...contentOf.values()]
    for (const hard of [/\n/, /"/, /,/, /\p{Extended_Pictographic}/u])
      expect(contents.some((c) => hard.test(c))).toBe(true)
    const pq = `${dir.path}/english.parquet`
    await runRecordingsDownload({
      api: api.url,
      key,
      id: parquet.id,
      out: pq,
      format: 'parquet',
      progress: false,
      stderr: quiet,
    })
    const duck2 = await (await DuckDBInstance.create(':memory:')).connect()
    try {
      const ids = (
        await duck2.runAndReadAll(`SELECT "interaction.id" FROM read_parquet('${pq}')`)
      ).getRows() as [string][]
      expect(ids.map(([id]) => id)).toEqual(expected)
    } finally {
      duck2.closeSync()
    }
    await expect(
      runRecordingsDownload({
        api: api.url,
        key,
        id: parquet.id,
        out: pq,
        format: 'csv',
        progress: false,
        stderr: quiet,
      }),
    ).rejects.toThrow(/recorded as parquet/)
    states = new Set()
  }, 90_000)
})
