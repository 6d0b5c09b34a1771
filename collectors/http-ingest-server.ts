import { timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createGunzip } from 'node:zlib'
import { SOURCE_FORMATS } from '../schemas/index.js'
import { BackpressureError, RawLogWriteError } from './collector-errors.js'
import type { HealthReport } from '../schemas/index.js'
import type { Ingestor } from './ingestor.js'
import type { RollingErrorRate } from './rolling-error-rate.js'

export interface IngestServerOptions {
  readonly ingestor: Ingestor
  readonly errors: RollingErrorRate
  readonly health: () => Promise<HealthReport>
  readonly metrics: () => Promise<{ contentType: string; body: string }>
  /** When set, ingest requests must carry `Authorization: Bearer <token>`. */
  readonly token?: string | undefined
  /** Largest accepted body, as sent and after gunzip. */
  readonly maxBodyBytes?: number
  /** Ingest requests handled at once; more are answered 503 before their body is read. */
  readonly maxInFlight?: number
  /** Told of unexpected errors (answered 500 without detail). */
  readonly onError?: (error: unknown) => void
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message)
  }
}

const INGEST_PATH = /^\/v1\/ingest\/([a-z0-9-]+)\/?$/

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  })
  res.end(text)
}

/** The request body, gunzipped when so encoded, refusing more than `limit` bytes either way. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0')
  if (declared > limit)
    throw new HttpError(
      413,
      `the body is ${declared} bytes; the limit is ${limit} (send smaller batches)`,
    )
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase()
  if (encoding !== 'identity' && encoding !== 'gzip')
    throw new HttpError(415, `content-encoding ${encoding} is not supported; send identity or gzip`)
  const input = encoding === 'gzip' ? req.pipe(createGunzip()) : req
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > limit) {
        req.resume()
        throw new HttpError(
          413,
          `the body is larger than ${limit} bytes${encoding === 'gzip' ? ' once gunzipped' : ''} (send smaller batches)`,
        )
      }
      chunks.push(chunk)
    }
  } catch (e) {
    if (e instanceof HttpError) throw e
    throw new HttpError(
      400,
      `the body could not be read: ${e instanceof Error ? e.message : String(e)}`,
    )
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)
}

function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? ''
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '')
  const expected = Buffer.from(token)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/**
 * The collector's HTTP endpoint. `POST /v1/ingest/<source>` takes NDJSON (gzip accepted) and
 * answers `202` with counts only after the records are in the raw log; `400`/`413`/`415` say
 * what is wrong with the request, `401` asks for the token, `503` with `Retry-After` means the
 * collector is behind (nothing was stored; send the batch again). Also `GET /health` (JSON
 * digest, 503 when failing) and `GET /metrics` (Prometheus text).
 */
export function createIngestServer(options: IngestServerOptions): Server {
  const maxBody = options.maxBodyBytes ?? 16 * 1024 * 1024
  const maxInFlight = options.maxInFlight ?? 32
  let inFlight = 0
  const sources = new Set<string>(SOURCE_FORMATS)

  const ingest = async (
    req: IncomingMessage,
    res: ServerResponse,
    source: string,
  ): Promise<void> => {
    if (options.token !== undefined && !authorized(req, options.token))
      throw new HttpError(401, 'a bearer token is required', { 'www-authenticate': 'Bearer' })
    if (!sources.has(source))
      throw new HttpError(
        404,
        `unknown source ${source}; expected one of ${SOURCE_FORMATS.join(', ')}`,
      )
    if (inFlight >= maxInFlight)
      throw new HttpError(503, `${inFlight} batches are being stored; retry shortly`, {
        'retry-after': '1',
      })
    inFlight++
    try {
      const body = await readBody(req, maxBody)
      if (body.length === 0)
        throw new HttpError(400, 'the body is empty; send NDJSON, one record per line')
      const result = await options.ingestor.ingest(source, body)
      send(res, 202, result)
    } finally {
      inFlight--
    }
  }

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    const match = INGEST_PATH.exec(path)
    if (match !== null) {
      if (req.method !== 'POST') throw new HttpError(405, 'use POST', { allow: 'POST' })
      await ingest(req, res, match[1] ?? '')
      return
    }
    if (path === '/health' && req.method === 'GET') {
      const report = await options.health()
      send(res, report.status === 'failing' ? 503 : 200, report)
      return
    }
    if (path === '/metrics' && req.method === 'GET') {
      const m = await options.metrics()
      res.writeHead(200, { 'content-type': m.contentType })
      res.end(m.body)
      return
    }
    throw new HttpError(404, 'not found; POST /v1/ingest/<source>, GET /health, GET /metrics')
  }

  return createServer((req, res) => {
    route(req, res).then(
      () => options.errors.note(false),
      (e: unknown) => {
        const error =
          e instanceof HttpError
            ? e
            : e instanceof BackpressureError
              ? new HttpError(503, e.message, { 'retry-after': String(e.retryAfterS) })
              : e instanceof RawLogWriteError
                ? new HttpError(503, `${e.message}; nothing was stored, retry`, {
                    'retry-after': '1',
                  })
                : undefined
        if (error === undefined) options.onError?.(e)
        const answer = error ?? new HttpError(500, 'internal error')
        options.errors.note(answer.status >= 500)
        if (!res.headersSent)
          send(
            res,
            answer.status,
            { error: answer.message },
            { ...answer.headers, connection: req.complete ? 'keep-alive' : 'close' },
          )
      },
    )
  })
}
