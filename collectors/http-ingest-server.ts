import { timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { SOURCE_FORMATS } from '../schemas/index.js'
import { BackpressureError, RawLogWriteError } from './collector-errors.js'
import type { HealthReport } from '../schemas/index.js'
import type { Ingestor } from './ingestor.js'
import {
  ByteBudget,
  dropUnreadBody,
  HttpRequestError,
  readRequestBody,
  type ReceivedBody,
} from './request-body.js'
import type { RollingErrorRate } from './rolling-error-rate.js'

export interface IngestServerOptions {
  readonly ingestor: Ingestor
  readonly errors: RollingErrorRate
  readonly health: () => Promise<HealthReport>
  readonly metrics: () => Promise<{ contentType: string; body: string }>
  /** When set, ingest requests must carry `Authorization: Bearer <token>`. */
  readonly token?: string | undefined
  /** Limits on what one request and all of them at once may hold; see {@link INGEST_LIMITS}. */
  readonly limits?: Partial<IngestLimits>
  /** Told of unexpected errors (answered 500 without detail). */
  readonly onError?: (error: unknown) => void
}

export interface IngestLimits {
  /** Largest accepted body, as sent and after gunzip. */
  readonly maxBodyBytes: number
  /** Batches being stored at once; more are answered 503 before their body is read. */
  readonly maxInFlight: number
  /** Bytes of bodies held in memory at once, over all requests (503 past it). */
  readonly maxBufferedBytes: number
  /** Bodies one client address may be sending at once (429 past it). */
  readonly maxBodiesPerAddress: number
  /** Time for a request's headers to arrive. */
  readonly headersTimeoutMs: number
  /** Time for a whole body to arrive, and the longest pause within it (408 past either). */
  readonly bodyTimeoutMs: number
  readonly bodyIdleMs: number
}

/**
 * The defaults: a slow or stalled client is cut off within seconds instead of holding a slot,
 * and a few clients can neither fill the memory nor every slot.
 */
export const INGEST_LIMITS: IngestLimits = {
  maxBodyBytes: 16 * 1024 * 1024,
  maxInFlight: 32,
  maxBufferedBytes: 256 * 1024 * 1024,
  maxBodiesPerAddress: 16,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 30_000,
  bodyIdleMs: 10_000,
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

function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? ''
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '')
  const expected = Buffer.from(token)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/**
 * The collector's HTTP endpoint. `POST /v1/ingest/<source>` takes NDJSON (gzip accepted) and
 * answers `202` with counts only after the records are in the raw log; `400`/`413`/`415` say
 * what is wrong with the request, `401` asks for the token, `408` cuts off a body that comes too
 * slowly, `429` asks one address to finish the bodies it is sending first, `503` with `Retry-After` means the collector is behind or full (nothing was stored;
 * send the batch again). Also `GET /health` (JSON digest, 503 when failing) and `GET /metrics`
 * (Prometheus text). Whatever a request holds, the answer is an HTTP status, never a crash.
 */
export function createIngestServer(options: IngestServerOptions): Server {
  const limits = { ...INGEST_LIMITS, ...options.limits }
  let storing = 0
  const budget = new ByteBudget(limits.maxBufferedBytes)
  const sending = new Map<string, number>()
  const sources = new Set<string>(SOURCE_FORMATS)

  const readBody = async (req: IncomingMessage): Promise<ReceivedBody> => {
    const address = req.socket.remoteAddress ?? ''
    const open = sending.get(address) ?? 0
    if (open >= limits.maxBodiesPerAddress)
      throw new HttpRequestError(
        429,
        `${open} bodies from your address are still arriving; finish those first`,
        { 'retry-after': '1' },
      )
    sending.set(address, open + 1)
    try {
      return await readRequestBody(req, {
        maxBytes: limits.maxBodyBytes,
        idleMs: limits.bodyIdleMs,
        deadlineMs: limits.bodyTimeoutMs,
        budget,
        gzip: true,
      })
    } finally {
      const left = (sending.get(address) ?? 1) - 1
      if (left === 0) sending.delete(address)
      else sending.set(address, left)
    }
  }

  const ingest = async (
    req: IncomingMessage,
    res: ServerResponse,
    source: string,
  ): Promise<void> => {
    if (options.token !== undefined && !authorized(req, options.token))
      throw new HttpRequestError(401, 'a bearer token is required', {
        'www-authenticate': 'Bearer',
      })
    if (!sources.has(source))
      throw new HttpRequestError(
        404,
        `unknown source ${source}; expected one of ${SOURCE_FORMATS.join(', ')}`,
      )
    // Only batches being stored count here: a body still arriving holds no slot, so clients
    // that send slowly cannot shut the others out (they are cut off by the body timeouts).
    if (storing >= limits.maxInFlight)
      throw new HttpRequestError(503, `${storing} batches are being stored; retry shortly`, {
        'retry-after': '1',
      })
    const body = await readBody(req)
    storing++
    try {
      if (body.bytes.length === 0)
        throw new HttpRequestError(400, 'the body is empty; send NDJSON, one record per line')
      const result = await options.ingestor.ingest(source, body.bytes)
      send(res, 202, result)
    } finally {
      storing--
      body.release()
    }
  }

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    const match = INGEST_PATH.exec(path)
    if (match !== null) {
      if (req.method !== 'POST') throw new HttpRequestError(405, 'use POST', { allow: 'POST' })
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
    throw new HttpRequestError(
      404,
      'not found; POST /v1/ingest/<source>, GET /health, GET /metrics',
    )
  }

  const answerError = (req: IncomingMessage, res: ServerResponse, e: unknown): void => {
    const error =
      e instanceof HttpRequestError
        ? e
        : e instanceof BackpressureError
          ? new HttpRequestError(503, e.message, { 'retry-after': String(e.retryAfterS) })
          : e instanceof RawLogWriteError
            ? new HttpRequestError(503, `${e.message}; nothing was stored, retry`, {
                'retry-after': '1',
              })
            : undefined
    if (error === undefined) options.onError?.(e)
    const answer = error ?? new HttpRequestError(500, 'internal error')
    options.errors.note(answer.status >= 500)
    if (res.headersSent) {
      res.destroy()
      return
    }
    // A body not read to its end is not read at all: the connection closes after the answer.
    send(
      res,
      answer.status,
      { error: answer.message },
      { ...answer.headers, ...dropUnreadBody(req) },
    )
  }

  const server = createServer((req, res) => {
    // The last resort: whatever a handler throws, now or later, becomes an answer.
    try {
      route(req, res).then(
        () => options.errors.note(false),
        (e: unknown) => answerError(req, res, e),
      )
    } catch (e) {
      answerError(req, res, e)
    }
  })
  server.headersTimeout = limits.headersTimeoutMs
  // Node's own backstop behind the body timeouts above.
  server.requestTimeout = limits.headersTimeoutMs + limits.bodyTimeoutMs + 5_000
  return server
}
