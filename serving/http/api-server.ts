import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit'
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth'
import { GraphQLError } from 'graphql'
import { createSchema, createYoga, maskError } from 'graphql-yoga'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible'
import type { StreamCatalog } from '../../query-dsl/index.js'
import type { HealthReport } from '../../schemas/index.js'
import type { ObjectStore } from '../../schemas/ports/index.js'
import type { ApiKeyRecord, ApiKeys } from '../keys/api-keys.js'
import { CONSOLE_PATH, consoleFiles } from './console-files.js'
import { RESOLVERS, userError, type ApiContext } from '../graphql/graphql-resolvers.js'
import { TYPE_DEFS } from '../graphql/graphql-schema.js'
import { responseCachePlugin } from './response-cache.js'
import type { LiveHub } from '../live/live-hub.js'
import { serveLive } from '../live/live-http.js'
import { LIVE_RESOLVERS } from '../live/live-resolvers.js'
import { attachLiveWebSocket } from '../live/live-websocket.js'
import { serveOutputFile } from '../outputs/output-downloads.js'
import { PREVIEW_RESOLVERS, PREVIEW_TYPE_DEFS } from '../live/preview-resolvers.js'
import { RECORDING_RESOLVERS } from '../recordings/recording-resolvers.js'
import { RECORDING_TYPE_DEFS } from '../recordings/recording-schema.js'
import type { RecordingService } from '../recordings/recording-service.js'
import { REPLAY_RESOLVERS } from '../replays/replay-resolvers.js'
import { REPLAY_TYPE_DEFS } from '../replays/replay-schema.js'
import type { ReplayService } from '../replays/replay-service.js'
import type { StreamAnalytics } from '../analytics/stream-analytics.js'

export interface ApiLimits {
  /** Deepest selection a query may have. */
  readonly maxDepth: number
  /** graphql-armor's cost (objects 2, scalars 1, ×1.5 per level) a query may reach. */
  readonly maxCost: number
  /** Requests a key may make per second, sustained… */
  readonly ratePerSecond: number
  /** …and at once. */
  readonly burst: number
}

export const DEFAULT_LIMITS: ApiLimits = {
  maxDepth: 8,
  maxCost: 5000,
  ratePerSecond: 200,
  burst: 400,
}

export interface ApiServerOptions {
  readonly catalog: StreamCatalog
  readonly keys: ApiKeys
  readonly analytics: StreamAnalytics
  readonly replays: ReplayService
  /** Scheduled recordings; absent when no speed layer feeds this server's store (refused). */
  readonly recordings?: RecordingService
  /** Where replay and recording output is read from for downloads. */
  readonly store: ObjectStore
  /** Live delivery of streams' matches (`GET /live/<hash>`); absent: 404. */
  readonly live?: LiveHub
  readonly health: () => Promise<HealthReport>
  /** Structured log lines (unexpected errors in full, with the id the caller was given). */
  readonly log: (event: string, fields: Readonly<Record<string, unknown>>) => void
  /** Serve GraphiQL at GET /graphql (for development). */
  readonly graphiql?: boolean
  readonly limits?: Partial<ApiLimits>
  /** How long a key's answer is reused for the same query (default 1000 ms; 0: never). */
  readonly responseCacheMs?: number
  /** The built web console, served at /console/ (absent or unbuilt: 404 saying so). */
  readonly consoleDir?: string
}

/** The HTTP status a refusal (401, 429) carries in its GraphQL extensions. */
function httpStatusOf(e: unknown): number | undefined {
  if (!(e instanceof GraphQLError)) return undefined
  const http = e.extensions['http'] as { status?: number } | undefined
  return http?.status
}

const codeOf = (e: unknown): unknown =>
  e instanceof GraphQLError ? e.extensions['code'] : undefined

/** The key a request carries: `x-api-key: KEY` or `authorization: Bearer KEY`. */
function keyOf(headers: Headers): string | undefined {
  const direct = headers.get('x-api-key')
  if (direct !== null && direct !== '') return direct.trim()
  const auth = headers.get('authorization')
  const m = auth === null ? null : /^Bearer\s+(\S+)$/i.exec(auth)
  return m?.[1]
}

/**
 * The API's HTTP server: GraphQL at /graphql (graphql-yoga; every request needs an API key),
 * GET /health and GET /metrics. Streams are the caller key's own; a query's depth and cost
 * and a key's request rate are limited, each refusal saying what to change; unexpected errors
 * reach the caller as a code and an id, and the log in full.
 */
export function createApiServer(options: ApiServerOptions): {
  readonly server: Server
  readonly metrics: Registry
} {
  const limits = { ...DEFAULT_LIMITS, ...options.limits }
  const responseCacheMs = options.responseCacheMs ?? 1000
  const metrics = new Registry()
  collectDefaultMetrics({ register: metrics, prefix: 'sluice_api_' })
  const requests = new Counter({
    name: 'sluice_api_requests_total',
    help: 'HTTP requests by path and status',
    labelNames: ['path', 'status'],
    registers: [metrics],
  })
  const seconds = new Histogram({
    name: 'sluice_api_request_seconds',
    help: 'HTTP request durations by path',
    labelNames: ['path'],
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [metrics],
  })
  const refusals = new Counter({
    name: 'sluice_api_refusals_total',
    help: 'Requests refused, by reason',
    labelNames: ['reason'],
    registers: [metrics],
  })
  const reused = new Counter({
    name: 'sluice_api_answers_reused_total',
    help: 'Answers served from the response cache (same key and query within its time)',
    registers: [metrics],
  })
  const live = options.live
  if (live !== undefined) {
    new Gauge({
      name: 'sluice_api_live_consumers',
      help: 'Clients following a stream live (HTTP, WebSocket, subscription)',
      registers: [metrics],
      collect() {
        this.set(live.counts.consumers)
      },
    })
    new Gauge({
      name: 'sluice_api_live_delivered',
      help: 'Matches handed to live clients since the start',
      registers: [metrics],
      collect() {
        this.set(live.counts.delivered)
      },
    })
    new Gauge({
      name: 'sluice_api_live_dropped',
      help: 'Live clients cut off for falling behind since the start',
      registers: [metrics],
      collect() {
        this.set(live.counts.dropped)
      },
    })
  }
  const limiter = new RateLimiterMemory({
    points: limits.burst,
    duration: limits.burst / limits.ratePerSecond,
  })

  /** The request's verified key within its rate; throws the 401 or 429 the caller gets. */
  const authenticate = async (headers: Headers): Promise<ApiKeyRecord> => {
    const given = keyOf(headers)
    if (given === undefined) {
      refusals.inc({ reason: 'no_key' })
      throw userError(
        'an API key is required: send it as `x-api-key: KEY` or `authorization: Bearer KEY`',
        'UNAUTHENTICATED',
        401,
      )
    }
    const key = await options.keys.verify(given)
    if (key === undefined) {
      refusals.inc({ reason: 'bad_key' })
      throw userError('that API key is unknown or revoked', 'UNAUTHENTICATED', 401)
    }
    try {
      await limiter.consume(key.id)
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e
      refusals.inc({ reason: 'rate' })
      const retry = Math.ceil(e.msBeforeNext / 1000)
      throw new GraphQLError(
        `rate limit: ${limits.ratePerSecond} requests/s per key (bursts of ${limits.burst}); retry in ${retry} s or spread requests out`,
        {
          extensions: {
            code: 'RATE_LIMITED',
            http: { status: 429, headers: { 'retry-after': String(retry) } },
          },
        },
      )
    }
    return key
  }
  const yoga = createYoga<Record<string, unknown>, ApiContext>({
    schema: createSchema<Record<string, unknown> & ApiContext>({
      typeDefs: [TYPE_DEFS, REPLAY_TYPE_DEFS, RECORDING_TYPE_DEFS, PREVIEW_TYPE_DEFS],
      resolvers: [
        RESOLVERS,
        REPLAY_RESOLVERS,
        RECORDING_RESOLVERS,
        LIVE_RESOLVERS,
        PREVIEW_RESOLVERS,
      ],
    }),
    graphqlEndpoint: '/graphql',
    graphiql: options.graphiql === true,
    landingPage: false,
    // Unexpected errors are logged by maskError below, with the id the caller sees.
    logging: false,
    plugins: [
      maxDepthPlugin({
        n: limits.maxDepth,
        // The refusal names the limit and the depth found.
        exposeLimits: true,
        onReject: [() => refusals.inc({ reason: 'depth' })],
      }),
      costLimitPlugin({
        maxCost: limits.maxCost,
        exposeLimits: true,
        onReject: [() => refusals.inc({ reason: 'cost' })],
      }),
      ...(responseCacheMs > 0 ? [responseCachePlugin(responseCacheMs, () => reused.inc())] : []),
    ],
    maskedErrors: {
      maskError: (error, message) => {
        const masked = maskError(error, message, false)
        if (masked === error) return masked
        const id = randomUUID()
        const original = error instanceof GraphQLError ? (error.originalError ?? error) : error
        options.log('unexpected_error', {
          errorId: id,
          error: original instanceof Error ? original.message : String(original),
          stack: original instanceof Error ? original.stack : undefined,
        })
        return new GraphQLError(`Unexpected error; it was logged as ${id}`, {
          extensions: { code: 'INTERNAL_SERVER_ERROR', errorId: id },
        })
      },
    },
    context: async ({ request }): Promise<ApiContext> => ({
      key: await authenticate(request.headers),
      catalog: options.catalog,
      keys: options.keys,
      analytics: options.analytics,
      replays: options.replays,
      ...(options.recordings === undefined ? {} : { recordings: options.recordings }),
      ...(options.live === undefined ? {} : { live: options.live }),
    }),
  })

  const serveConsole = consoleFiles(options.consoleDir)
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    const label = path === '/graphql' || path === '/health' || path === '/metrics' ? path : 'other'
    const stop = seconds.startTimer({ path: label })
    res.once('finish', () => {
      stop()
      requests.inc({ path: label, status: String(res.statusCode) })
    })
    const fail = (e: unknown): void => {
      options.log('request_failed', {
        path,
        error: e instanceof Error ? e.message : String(e),
        stack: e instanceof Error ? e.stack : undefined,
      })
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: 'internal error' }))
    }
    // A key refused (401, 429) outside GraphQL: the same code and message as JSON.
    const refusal = (e: unknown): void => {
      const status = httpStatusOf(e)
      if (status === undefined) return fail(e)
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: (e as Error).message, code: codeOf(e) }))
    }
    if (req.method === 'GET' && path === '/health') {
      options
        .health()
        .then((report) => {
          res.writeHead(report.status === 'failing' ? 503 : 200, {
            'content-type': 'application/json',
          })
          res.end(JSON.stringify(report))
        })
        .catch(fail)
      return
    }
    if (req.method === 'GET' && path === '/metrics') {
      metrics
        .metrics()
        .then((body) => {
          res.writeHead(200, { 'content-type': metrics.contentType })
          res.end(body)
        })
        .catch(fail)
      return
    }
    if (path === '/graphql') {
      void yoga(req, res)
      return
    }
    if (
      (req.method === 'GET' || req.method === 'HEAD') &&
      (path === '/' || path === CONSOLE_PATH || path.startsWith(`${CONSOLE_PATH}/`))
    ) {
      serveConsole(req, res, path)
      return
    }
    if (req.method === 'GET' && path.startsWith('/live/') && options.live !== undefined) {
      serveLive(req, res, path, {
        live: options.live,
        catalog: options.catalog,
        authenticate,
      }).catch((e: unknown) => refusal(e))
      return
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && path.startsWith('/replays/')) {
      serveOutputFile(req, res, path, {
        store: options.store,
        find: (owner, id, name) => options.replays.file(owner, id, name),
        authenticate,
      }).catch((e: unknown) => refusal(e))
      return
    }
    const recordings = options.recordings
    if (
      (req.method === 'GET' || req.method === 'HEAD') &&
      path.startsWith('/recordings/') &&
      recordings !== undefined
    ) {
      serveOutputFile(req, res, path, {
        store: options.store,
        find: (owner, id, name) => recordings.file(owner, id, name),
        authenticate,
      }).catch((e: unknown) => refusal(e))
      return
    }
    res.writeHead(404, { 'content-type': 'application/json' })
    res.end(
      JSON.stringify({
        error:
          'not found; GET /console/, POST /graphql, GET /replays/<id>/<file>, GET /recordings/<id>/<file>, GET /live/<stream>, GET /health, GET /metrics',
      }),
    )
  })
  if (options.live !== undefined)
    attachLiveWebSocket(server, { live: options.live, catalog: options.catalog, authenticate })
  return { server, metrics }
}
