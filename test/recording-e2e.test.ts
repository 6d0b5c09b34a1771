import type { ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { DuckDBInstance } from '@duckdb/node-api'
import { parse as parseCsv } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { retimedTweet } from '../collectors/index.js'
import type { LaunchedProcess } from '../infra/launchers/launched-process.js'
import { startRedis } from '../infra/launchers/redis-launcher.js'
import { startS3Server, type S3Server } from '../infra/launchers/s3-server-launcher.js'
import type { CompiledDefinition } from '../query-dsl/index.js'
import { StreamCatalog } from '../query-dsl/index.js'
import { openObjectStore } from '../infra/adapters/open-object-store.js'
import { parseStoreUrl } from '../infra/config/adapter-urls.js'
import { expectedRecording } from './support/recording-oracle.js'
import { dataLines } from './support/shared-data.js'
import { runSluice, startSluice, stopSluice } from './support/sluice-process.js'
import { tempDir } from './support/temp-dir.js'
import { until } from './support/until.js'

interface Recording {
  id: string
  state: string
  records: number
  chunks: { url: string; presignedUrl: string | null; bytes: number }[]
}

const FORMATS = ['NDJSON', 'CSV', 'PARQUET'] as const

/*
 * The recording must-show on the distributed adapters, every part its own process: a collector
 * taking a live feed over HTTP into S3 (s3rver) and the Redis hand-off, a speed process, and an
 * API server that schedules and finalizes recordings. The speed process and the API server are
 * killed (SIGKILL) and started again while recording; each format's downloaded file must hold
 * exactly the stream's matches created between start and end, each once.
 */
describe('scheduled recordings across processes and restarts', () => {
  const dir = tempDir('recording-e2e')
  let redis: { process: LaunchedProcess; url: string } | undefined
  let s3: S3Server | undefined
  const children = new Set<ChildProcess>()
  beforeAll(async () => {
    ;[redis, s3] = await Promise.all([
      startRedis(),
      startS3Server({ directory: `${dir.path}/s3`, bucket: 'sluice' }),
    ])
  }, 120_000)
  afterAll(async () => {
    await Promise.all([...children].map(stopSluice))
    await Promise.all([redis?.process.stop(), s3?.process.stop()])
    dir.remove()
  })

  it('downloads exactly the matches between start and end in each format, though the speed process and the API were killed during it', async () => {
    const store = (s3 as S3Server).url('rec')
    const queue = `${(redis as { url: string }).url}?prefix=e${randomUUID().slice(0, 8)}&lock_ms=2000`
    const started = async (args: string[], ready: RegExp): Promise<[ChildProcess, string]> => {
      const { child, match } = await startSluice(args, ready)
      children.add(child)
      child.stderr?.resume()
      return [child, match[1] ?? '']
    }
    const kill = async (child: ChildProcess): Promise<void> => {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGKILL')
      await exited
      children.delete(child)
    }
    const key = (
      await runSluice(['keys', 'create', '--name', 'rec', '--store', store])
    ).stdout.split('\n')[0] as string
    const serve = () =>
      started(
        [
          'serve',
          ...['--store', store, '--queue', queue, '--speed-store', `level://${dir.path}/api-speed`],
          ...['--http', '127.0.0.1:0', '--recording-settle-ms', '3000'],
        ],
        /"event":"api_listening","url":"([^"]+)\/graphql"/,
      )
    const speed = () =>
      started(
        [
          'speed',
          ...['--store', store, '--queue', queue, '--speed-store', `level://${dir.path}/speed`],
          ...['--refresh-ms', '500', '--flush-ms', '20'],
        ],
        /speed: (\d+) streams/,
      )
    const [collector, collectorUrl] = await started(
      [
        'collect',
        ...['--http', '127.0.0.1:0', '--store', store, '--queue', queue],
        ...['--log-dir', `${dir.path}/log`, '--collector', 'c1'],
      ],
      /"event":"collector_listening","url":"([^"]+)"/,
    )
    let [api, apiUrl] = await serve()
    const ask = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
      const res = await fetch(`${apiUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({ query, variables }),
      })
      const answer = (await res.json()) as { data?: T; errors?: unknown[] }
      if (answer.errors !== undefined) throw new Error(JSON.stringify(answer.errors))
      return answer.data as T
    }
    const { createStream } = await ask<{ createStream: { hash: string } }>(
      'mutation { createStream(csdl: "language.tag == \\"en\\"", name: "english") { hash } }',
    )
    const objects = openObjectStore(parseStoreUrl('store', store))
    const definition = (await new StreamCatalog(objects).definitions()).find(
      (d) => d.hash === createStream.hash,
    ) as CompiledDefinition
    let [speedProcess] = await speed()

    const start = Math.ceil((Date.now() + 9000) / 1000) * 1000
    const end = start + 10_000
    const ids: string[] = []
    for (const format of FORMATS) {
      const made = await ask<{ scheduleRecording: Recording }>(
        `mutation($s: ID!, $start: DateTime!, $end: DateTime!, $f: RecordingFormat, $fields: [String!]) {
          scheduleRecording(stream: $s, start: $start, end: $end, format: $f, fields: $fields) { id state } }`,
        {
          s: createStream.hash,
          start,
          end,
          f: format,
          fields: format === 'CSV' ? ['interaction.id', 'interaction.content'] : null,
        },
      )
      expect(made.scheduleRecording.state).toBe('SCHEDULED')
      ids.push(made.scheduleRecording.id)
    }

    const recordings = async (): Promise<Recording[]> =>
      (
        await ask<{ recordings: Recording[] }>(
          '{ recordings { id state records chunks { url presignedUrl bytes } } }',
        )
      ).recordings
    // The live feed: real tweets created now, ~150 a second, from before start to after end.
    const tweets = dataLines('twitter-v1-sample.jsonl.gz')
    const sent: string[] = []
    let n = 0
    const feeding = (async () => {
      while (Date.now() < end + 2000) {
        const batch = Array.from({ length: 15 }, () => {
          const line = tweets[n % tweets.length] as string
          return retimedTweet(line, Date.now(), 7 + Math.floor(n++ / tweets.length))
        })
        const res = await fetch(`${collectorUrl}/v1/ingest/twitter-v1`, {
          method: 'POST',
          body: `${batch.join('\n')}\n`,
        })
        if (res.ok) sent.push(...batch)
        await res.arrayBuffer()
        await new Promise((r) => setTimeout(r, 100))
      }
    })()
    // While recording: the speed process is killed and started again, then the API server.
    await until('three seconds into the recording', () => Date.now() >= start + 3000, 30_000)
    await kill(speedProcess)
    await new Promise((r) => setTimeout(r, 1000))
    ;[speedProcess] = await speed()
    await until('six seconds into the recording', () => Date.now() >= start + 6000, 30_000)
    await kill(api)
    ;[api, apiUrl] = await serve()
    // Killed again just before the end and down past end + settle: the API must wait for the
    // hand-off backlog (the last second's matches) instead of finalizing without them.
    await until('just before the end', () => Date.now() >= end - 700, 30_000)
    await kill(speedProcess)
    await until('past end + settle', () => Date.now() >= end + 5000, 30_000)
    expect((await recordings()).map((r) => r.state)).toEqual([
      'FINALIZING',
      'FINALIZING',
      'FINALIZING',
    ])
    ;[speedProcess] = await speed()
    await feeding
    expect(collector.exitCode).toBeNull()

    await until(
      'the three recordings done',
      async () => (await recordings()).every((r) => r.state === 'DONE'),
      120_000,
    )
    const expected = expectedRecording(sent, definition, start, end)
    expect(expected.length).toBeGreaterThan(100)

    const files: Record<string, string> = {}
    for (const [i, format] of FORMATS.entries()) {
      const out = `${dir.path}/english.${format.toLowerCase()}`
      await runSluice([
        ...['recordings', 'download', ids[i] as string, '--out', out],
        ...['--format', format.toLowerCase(), '--api', apiUrl, '--key', key, '--no-progress'],
      ])
      files[format] = out
    }
    const ndjson = readFileSync(files['NDJSON'] as string, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { interaction: { id: string } }).interaction.id)
    expect(ndjson).toEqual(expected)
    const csv = parseCsv<Record<string, string>>(readFileSync(files['CSV'] as string, 'utf8'), {
      columns: true,
    })
    expect(csv.map((r) => r['interaction.id'])).toEqual(expected)
    const duck = await (await DuckDBInstance.create(':memory:')).connect()
    try {
      const rows = (
        await duck.runAndReadAll(`SELECT "interaction.id" FROM read_parquet('${files['PARQUET']}')`)
      ).getRows() as [string][]
      expect(rows.map(([id]) => id)).toEqual(expected)
    } finally {
      duck.closeSync()
    }
    // On S3 each chunk also has a presigned URL, serving the same bytes without the key.
    const chunk = (await recordings())[0]?.chunks[0]
    const signed = await fetch(chunk?.presignedUrl ?? '')
    expect((await signed.arrayBuffer()).byteLength).toBe(chunk?.bytes)
  }, 300_000)
})
