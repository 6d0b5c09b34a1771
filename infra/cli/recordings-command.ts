import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Writable } from 'node:stream'
import { finished, pipeline } from 'node:stream/promises'
import { Readable } from 'node:stream'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { createGzip, gunzipSync } from 'node:zlib'
import { Table } from 'apache-arrow'
import { SingleBar } from 'cli-progress'
import { readParquetPart } from '../../schemas/index.js'
import { writeArrowPart } from '../../shredder/index.js'
import { ApiClient } from './api-client.js'

/** A recording as the CLI asks the API for it. */
export interface RemoteRecording {
  readonly id: string
  readonly name: string | null
  readonly stream: string
  readonly state: string
  readonly start: string
  readonly end: string
  readonly format: string
  readonly fields: readonly string[]
  readonly records: number
  readonly bytes: number
  readonly reason: string | null
  readonly chunks: readonly {
    readonly name: string
    readonly url: string
    readonly bytes: number
    readonly records: number
    readonly sha256: string
  }[]
}

export const RECORDING_FIELDS = `id name stream state start end format fields records bytes reason
  chunks { name url bytes records sha256 }`

/** A recording that cannot be downloaded as asked; the message says why. */
export class RecordingDownloadError extends Error {
  override readonly name = 'RecordingDownloadError'
  constructor(
    readonly recording: string,
    reason: string,
  ) {
    super(`recording ${recording}: ${reason}`)
  }
}

export interface DownloadOptions {
  readonly api: string
  readonly key: string
  readonly id: string
  /** Must be the recording's own format when given. */
  readonly format?: string
  readonly out: string
  readonly progress: boolean
  readonly stderr: Writable
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size
  } catch {
    return 0
  }
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256')
  await pipeline(createReadStream(path), hash)
  return hash.digest('hex')
}

/**
 * Fetches one chunk into `path`, continuing a partial file with an HTTP Range request (the
 * chunk's checksum as If-Range, so a changed file is fetched whole), and checks its SHA-256.
 */
async function fetchChunk(
  api: ApiClient,
  chunk: RemoteRecording['chunks'][number],
  path: string,
  onBytes: (n: number) => void,
): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    let have = await sizeOf(path)
    if (have > chunk.bytes) {
      await rm(path)
      have = 0
    }
    if (have < chunk.bytes) {
      const res = await api.get(
        chunk.url,
        have === 0 ? {} : { range: `bytes=${have}-`, 'if-range': `"${chunk.sha256}"` },
      )
      if (!res.ok || res.body === null)
        throw new RecordingDownloadError(chunk.name, `GET ${chunk.url}: ${res.status}`)
      // 200 instead of 206: the server sends it whole.
      const append = res.status === 206
      if (!append) onBytes(-have)
      const body = Readable.fromWeb(res.body as WebReadableStream)
      body.on('data', (b: Buffer) => onBytes(b.byteLength))
      await pipeline(body, createWriteStream(path, { flags: append ? 'a' : 'w' }))
    } else onBytes(have)
    if ((await sha256Of(path)) === chunk.sha256) return
    onBytes(-(await sizeOf(path)))
    await rm(path)
  }
  throw new RecordingDownloadError(chunk.name, 'its checksum does not match after two tries')
}

/** Joins the chunks into one file of the recording's format (gzip-compressed when asked). */
async function assemble(
  recording: RemoteRecording,
  parts: string[],
  out: string,
  gzipped: boolean,
): Promise<void> {
  if (recording.format === 'PARQUET') {
    const tables: Table[] = []
    for (const p of parts) tables.push(await readParquetPart(await readFile(p)))
    const batches = tables.flatMap((t) => t.batches)
    await writeFile(
      out,
      writeArrowPart(new Table(batches), { metadata: { 'sluice.recording': recording.id } }),
    )
    return
  }
  // One chunk in memory at a time (at most a chunk's records).
  const file = createWriteStream(out)
  const gzip = gzipped ? createGzip() : undefined
  gzip?.pipe(file)
  const sink: Writable = gzip ?? file
  for (const [n, p] of parts.entries()) {
    const body = gunzipSync(await readFile(p)).toString('utf8')
    // Every CSV chunk has the header; the file keeps the first.
    const text = recording.format === 'CSV' && n > 0 ? body.slice(body.indexOf('\n') + 1) : body
    if (!sink.write(text)) await new Promise((r) => sink.once('drain', r))
  }
  sink.end()
  await finished(file)
}

/**
 * `sluice recordings download ID --out FILE`: a finished recording's chunks fetched with
 * resume (a second run continues partial chunks from `FILE.parts/`), checked against their
 * checksums, and joined into FILE: NDJSON or CSV (gzip when FILE ends in .gz), or one Parquet
 * file.
 */
export async function runRecordingsDownload(
  options: DownloadOptions,
): Promise<{ records: number; bytes: number }> {
  const api = new ApiClient(options.api, options.key)
  const { recording } = await api.call<{ recording: RemoteRecording | null }>(
    `query($id: ID!) { recording(id: $id) { ${RECORDING_FIELDS} } }`,
    { id: options.id },
  )
  if (recording === null)
    throw new RecordingDownloadError(options.id, 'this key has no such recording')
  if (recording.state !== 'DONE')
    throw new RecordingDownloadError(
      options.id,
      recording.state === 'FAILED'
        ? `it failed: ${recording.reason ?? ''}`
        : `it is ${recording.state.toLowerCase()} (until ${recording.end}); download it once DONE`,
    )
  if (options.format !== undefined && options.format.toUpperCase() !== recording.format)
    throw new RecordingDownloadError(
      options.id,
      `it was recorded as ${recording.format.toLowerCase()}; schedule a recording in ${options.format.toLowerCase()} to get that format`,
    )
  const partsDir = `${options.out}.parts`
  await mkdir(partsDir, { recursive: true })
  const total = recording.chunks.reduce((n, c) => n + c.bytes, 0)
  const bar = options.progress
    ? new SingleBar({
        stream: options.stderr,
        format: `download ${recording.id} [{bar}] {percentage}% | {value}/{total} bytes | {chunks} chunks`,
        hideCursor: true,
        clearOnComplete: false,
      })
    : undefined
  bar?.start(total, 0, { chunks: `0/${recording.chunks.length}` })
  let got = 0
  const parts: string[] = []
  for (const [n, chunk] of recording.chunks.entries()) {
    const path = join(partsDir, chunk.name)
    await fetchChunk(api, chunk, path, (b) => {
      got += b
      bar?.update(got, { chunks: `${n}/${recording.chunks.length}` })
    })
    parts.push(path)
  }
  bar?.update(total, { chunks: `${recording.chunks.length}/${recording.chunks.length}` })
  bar?.stop()
  const tmp = `${options.out}.tmp`
  // Named by what the user asked for (`tuesday.csv.gz`), not by the temporary file.
  await assemble(recording, parts, tmp, options.out.endsWith('.gz'))
  await rename(tmp, options.out)
  await rm(partsDir, { recursive: true })
  const records = recording.chunks.reduce((n, c) => n + c.records, 0)
  options.stderr.write(`${records} records in ${recording.chunks.length} chunks → ${options.out}\n`)
  return { records, bytes: await sizeOf(options.out) }
}

export interface ScheduleArgs {
  readonly stream: string
  readonly start: number
  readonly end: number
  readonly format: string
  readonly fields?: readonly string[]
  readonly name?: string
}

/** `sluice recordings schedule|list|show|cancel|delete`: the API's answer as JSON on stdout. */
export async function runRecordingsAction(
  options: { readonly api: string; readonly key: string; readonly stdout: Writable },
  action:
    | { readonly kind: 'schedule'; readonly args: ScheduleArgs }
    | { readonly kind: 'list' }
    | { readonly kind: 'show' | 'cancel' | 'delete'; readonly id: string },
): Promise<void> {
  const api = new ApiClient(options.api, options.key)
  let answer: unknown
  if (action.kind === 'schedule') {
    const a = action.args
    answer = (
      await api.call<{ scheduleRecording: RemoteRecording }>(
        `mutation($stream: ID!, $start: DateTime!, $end: DateTime!, $format: RecordingFormat, $fields: [String!], $name: String) {
          scheduleRecording(stream: $stream, start: $start, end: $end, format: $format, fields: $fields, name: $name) { ${RECORDING_FIELDS} } }`,
        {
          stream: a.stream,
          start: new Date(a.start).toISOString(),
          end: new Date(a.end).toISOString(),
          format: a.format.toUpperCase(),
          fields: a.fields ?? null,
          name: a.name ?? null,
        },
      )
    ).scheduleRecording
  } else if (action.kind === 'list')
    answer = (
      await api.call<{ recordings: RemoteRecording[] }>(`{ recordings { ${RECORDING_FIELDS} } }`)
    ).recordings
  else {
    const field = { show: 'recording', cancel: 'cancelRecording', delete: 'deleteRecording' }[
      action.kind
    ]
    const op = action.kind === 'show' ? 'query' : 'mutation'
    answer = (
      await api.call<Record<string, RemoteRecording | null>>(
        `${op}($id: ID!) { ${field}(id: $id) { ${RECORDING_FIELDS} } }`,
        { id: action.id },
      )
    )[field]
    if (answer === null)
      throw new RecordingDownloadError(action.id, 'this key has no such recording')
  }
  options.stdout.write(`${JSON.stringify(answer, null, 2)}\n`)
}
