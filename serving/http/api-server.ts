import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit'
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases'
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth'
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens'
import { GraphQLError } from 'graphql'
import { createSchema, createYoga, maskError } from 'graphql-yoga'
import { Registry } from 'prom-client'
import { ByteBudget, HttpRequestError, readRequestBody } from '../../collectors/index.js'
import type { StreamCatalog } from '../../query-dsl/index.js'
import type { HealthReport } from '../../schemas/index.js'
import type { ObjectStore } from '../../schemas/ports/index.js'
import type { StreamAnalytics } from '../analytics/stream-analytics.js'
import type { FilterService } from '../filters/filter-service.js'
import { RESOLVERS, type ApiContext } from '../graphql/graphql-resolvers.js'
import { TYPE_DEFS } from '../graphql/graphql-schema.js'
import type { ApiKeys } from '../keys/api-keys.js'
import { LiveAccess, LiveStreamNotFoundError, type LiveFollower } from '../live/live-access.js'
import { serveLive } from '../live/live-http.js'
import { LiveCursorError, type LiveHub } from '../live/live-hub.js'
import { LIVE_RESOLVERS } from '../live/live-resolvers.js'
import { LiveWebSocket } from '../live/live-websocket.js'
import { PREVIEW_RESOLVERS, PREVIEW_TYPE_DEFS } from '../live/preview-resolvers.js'
import { serveOutputFile } from '../outputs/output-downloads.js'
import { RECORDING_RESOLVERS } from '../recordings/recording-resolvers.js'
import { RECORDING_TYPE_DEFS } from '../recordings/recording-schema.js'
import type { RecordingService } from '../recordings/recording-service.js'
import { REPLAY_RESOLVERS } from '../replays/replay-resolvers.js'
import { REPLAY_TYPE_DEFS } from '../replays/replay-schema.js'
import type { ReplayService } from '../replays/replay-service.js'
import { createApiMetrics } from './api-metrics.js'
import { ApiRefusal, sendJson, sendRefusal } from './api-refusal.js'
import { CONSOLE_PATH, consoleFiles } from './console-files.js'
import { DEFAULT_KEY_LIMITS, KeyGate, type Admission, type KeyLimits } from './key-gate.js'
import { headersOf } from './request-headers.js'
import { decodeSegment, parseRequestTarget, type RequestTarget } from './request-target.js'
import { useResponseCache } from './use-response-cache.js'
import { useWorkLimit } from './use-work-limit.js'

export interface ApiLimits extends KeyLimits {
  /** Deepest selection a query may have. */
  readonly maxDepth: number
  /** graphql-armor's cost (objects 2, scalars 1, ×1.5 per level) a query may reach. */
  readonly maxCost: number
  /** Aliases and tokens a GraphQL document may have. */
  readonly maxAliases: number
  readonly maxTokens: number
  /**
   * Largest GraphQL request body: room for one filter of CSDL's largest size (1 MiB) in JSON;
   * refused before it is read when the key is not valid.
   */
  readonly maxBodyBytes: number
  /** Bytes of request bodies held at once over all requests. */
  readonly maxBufferedBytes: number
  /** Time for a request's headers, and for its body (in all, and between two chunks). */
  readonly headersTimeoutMs: number
  readonly bodyTimeoutMs: number
  readonly bodyIdleMs: number
}

export const DEFAULT_LIMITS: ApiLimits = {
  ...DEFAULT_KEY_LIMITS,
  maxDepth: 8,
  maxCost: 5000,
  maxAliases: 100,
  maxTokens: 5000,
  maxBodyBytes: 1536 * 1024,
  maxBufferedBytes: 64 * 1024 * 1024,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 30_000,
  bodyIdleMs: 10_000,
}

export interface ApiServerOptions {
  readonly catalog: StreamCatalog
  readonly keys: ApiKeys
  /** Where callers' filters are compiled (validate, create, preview, replays). */
  readonly filters: FilterService
  readonly analytics: StreamAnalytics
  readonly replays: ReplayService
  /** Scheduled recordings; absent when no speed layer feeds this server's store (refused). */
  readonly recordings?: RecordingService
  /** Where replay and recording output is read from for downloads. */
  readonly store: ObjectStore
  /** Live delivery of streams' matches (`GET /live/<hash>`); absent: 404. */
  readonly live?: LiveHub
  /** How often open live connections' keys and streams are checked again (default 2 s). */
  readonly liveRecheckMs?: number
  readonly health: () => Promise<HealthReport>
  /** Structured log lines (unexpected errors in full, with the id the caller was given). */
  readonly log: (event: string, fields: Readonly<Record<string, unknown>>) => void
  /** Serve GraphiQL at GET /graphql (for development). */
  readonly graphiql?: boolean
  readonly limits?: Partial<ApiLimits>
  /** How long a key's answer is reused for the same query (default 1000 ms; 0: never). */
  readonly responseCacheMs?: number
  /** Bytes the reused answers may hold (default 64 MiB). */
  readonly responseCacheBytes?: number
  /** Origins whose pages may call the API from a browser (CORS); none by default. */
  readonly corsOrigins?: readonly string[]
  /** The built web console, served at /console/ (absent or unbuilt: 404 saying so). */
  readonly consoleDir?: string
  /** More metrics served at /metrics beside the API's (a stack's other parts). */
  readonly extraMetrics?: readonly Registry[]
}

/** What createApiServer makes: the HTTP server, its metrics, and what to stop with it. */
export interface ApiServer {
  readonly server: Server
  readonly metrics: Registry
  close(): void
}

const KNOWN_PATHS = new Set(['/graphql', '/health', '/metrics'])

/** The codes of a body refused while it was read. */
const BODY_REFUSAL_CODES: Readonly<Record<number, string>> = {
  408: 'REQUEST_TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  503: 'UNAVAILABLE',
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** Answers an upgrade that goes nowhere, then drops the connection. */
function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  if (socket.writable)
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`)
  socket.destroy()
}

/**
 * The API's HTTP server: GraphQL at /graphql (graphql-yoga; every request needs an API key),
 * live delivery, downloads, the console, GET /health and GET /metrics.
 *
 * Every request goes the same way in: its target parsed (400 if it is not one), its key checked
 * before its body is read (401), its key's rate, open requests and live connections limited
 * (429), its body bounded in size and time (413, 408). GraphQL operations are limited in depth,
 * cost, aliases and tokens, and charged for the work they do (filters compiled, data sampled).
 * Whatever a handler throws is caught by a last-resort guard that logs it with an id and
 * answers 500: no request can end the process.
 */
export function createApiServer(options: ApiServerOptions): ApiServer {
  const limits: ApiLimits = { ...DEFAULT_LIMITS, ...options.limits }
  const responseCacheMs = options.responseCacheMs ?? 1000
  const m = createApiMetrics(options.live)
  const scrape =
    options.extraMetrics === undefined || options.extraMetrics.length === 0
      ? m.registry
      : Registry.merge([m.registry, ...options.extraMetrics])
  const gate = new KeyGate(options.keys, limits, (reason) => m.refusals.inc({ reason }))
  const bodies = new ByteBudget(limits.maxBufferedBytes)
  const access =
    options.live === undefined
      ? undefined
      : new LiveAccess(options.live, options.catalog, {
          ...(options.liveRecheckMs === undefined ? {} : { recheckMs: options.liveRecheckMs }),
          onError: (e) => options.log('live_recheck_failed', { error: errorText(e) }),
        })
  const liveSocket = access === undefined ? undefined : new LiveWebSocket(access, options.log)

  const yoga = createYoga<{ admission?: Admission }, ApiContext>({
    schema: createSchema<ApiContext>({
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
    // GraphiQL's page with its scripts inline: it works with no network but the API's own.
    // Loaded on first use: the bundle is ~40 MB of memory a server that never shows it keeps.
    renderGraphiQL: async (graphiqlOptions) =>
      (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(graphiqlOptions),
    landingPage: false,
    cors:
      options.corsOrigins === undefined || options.corsOrigins.length === 0
        ? false
        : {
            origin: [...options.corsOrigins],
            credentials: false,
            methods: ['GET', 'POST'],
            allowedHeaders: ['content-type', 'x-api-key', 'authorization'],
          },
    // Unexpected errors are logged by maskError below, with the id the caller sees.
    logging: false,
    plugins: [
      maxTokensPlugin({
        n: limits.maxTokens,
        exposeLimits: true,
        onReject: [() => m.refusals.inc({ reason: 'tokens' })],
      }),
      maxAliasesPlugin({
        n: limits.maxAliases,
        exposeLimits: true,
        onReject: [() => m.refusals.inc({ reason: 'aliases' })],
      }),
      maxDepthPlugin({
        n: limits.maxDepth,
        // The refusal names the limit and the depth found.
        exposeLimits: true,
        onReject: [() => m.refusals.inc({ reason: 'depth' })],
      }),
      costLimitPlugin({
        maxCost: limits.maxCost,
        exposeLimits: true,
        onReject: [() => m.refusals.inc({ reason: 'cost' })],
      }),
      useWorkLimit((keyId, units) => gate.charge(keyId, units)),
      ...(responseCacheMs > 0
        ? [
            useResponseCache({
              ttlMs: responseCacheMs,
              ...(options.responseCacheBytes === undefined
                ? {}
                : { maxBytes: options.responseCacheBytes }),
              onReuse: () => m.reused.inc(),
            }),
          ]
        : []),
    ],
    maskedErrors: {
      maskError: (error, message) => {
        const masked = maskError(error, message, false)
        if (masked === error) return masked
        const id = randomUUID()
        const original = error instanceof GraphQLError ? (error.originalError ?? error) : error
        options.log('unexpected_error', {
          errorId: id,
          error: errorText(original),
          stack: original instanceof Error ? original.stack : undefined,
        })
        return new GraphQLError(`Unexpected error; it was logged as ${id}`, {
          extensions: { code: 'INTERNAL_SERVER_ERROR', errorId: id },
        })
      },
    },
    context: ({ admission }): ApiContext => {
      // Only the GraphiQL page and CORS preflights skip the key, and neither executes.
      if (admission === undefined)
        throw new GraphQLError('an API key is required', {
          extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
        })
      return {
        key: admission.key,
        keyStillValid: admission.stillValid,
        catalog: options.catalog,
        filters: options.filters,
        keys: options.keys,
        analytics: options.analytics,
        replays: options.replays,
        ...(options.recordings === undefined ? {} : { recordings: options.recordings }),
        ...(access === undefined ? {} : { live: access }),
      }
    },
  })

  const follower = (admission: Admission): LiveFollower => ({
    keyId: admission.key.id,
    stillValid: admission.stillValid,
  })

  const serveGraphql = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const accept = req.headers.accept ?? ''
    // GraphiQL's page (yoga shows it to a browser's GET, never executing one) needs no key.
    const page = options.graphiql === true && req.method === 'GET' && accept.includes('text/html')
    if (page || req.method === 'OPTIONS') {
      await yoga(req, res, {})
      return
    }
    const admission = await gate.admit(headersOf(req))
    // A subscription over SSE is a live connection for as long as it lasts.
    const release = accept.includes('text/event-stream')
      ? gate.holdLive(admission.key.id)
      : gate.hold(admission.key.id)
    res.once('close', release)
    if (req.method === 'POST') {
      const type = req.headers['content-type'] ?? 'application/json'
      if (!type.includes('json'))
        throw new ApiRefusal(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the request as application/json')
      const body = await readRequestBody(req, {
        maxBytes: limits.maxBodyBytes,
        idleMs: limits.bodyIdleMs,
        deadlineMs: limits.bodyTimeoutMs,
        budget: bodies,
        gzip: true,
      })
      let parsed: unknown
      try {
        parsed = JSON.parse(body.bytes.toString('utf8'))
      } catch (e) {
        throw new ApiRefusal(400, 'BAD_REQUEST', `the body is not JSON: ${errorText(e)}`)
      } finally {
        body.release()
      }
      if (typeof parsed !== 'object' || parsed === null || Object.keys(parsed).length === 0)
        throw new ApiRefusal(400, 'BAD_REQUEST', 'the body must be a JSON object with a query')
      // graphql-yoga takes a body already parsed from `req.body`, as from a body parser.
      Object.assign(req, { body: parsed })
      delete req.headers['content-encoding']
    }
    await yoga(req, res, { admission })
  }

  const serveLiveRoute = async (
    req: IncomingMessage,
    res: ServerResponse,
    target: RequestTarget,
  ): Promise<void> => {
    const hash = decodeSegment(target.path.slice('/live/'.length))
    if (access === undefined || hash === undefined)
      throw new ApiRefusal(404, 'NOT_FOUND', 'no such live stream')
    const admission = await gate.admit(headersOf(req))
    const release = gate.holdLive(admission.key.id)
    try {
      const subscription = await access
        .followOwn(follower(admission), hash, target.query.get('cursor') ?? undefined)
        .catch((e: unknown) => {
          if (e instanceof LiveStreamNotFoundError)
            throw new ApiRefusal(404, 'NOT_FOUND', e.message)
          if (e instanceof LiveCursorError) throw new ApiRefusal(410, 'CURSOR_EXPIRED', e.message)
          throw e
        })
      await serveLive(res, subscription)
    } finally {
      release()
    }
  }

  const serveDownload = async (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    find: Parameters<typeof serveOutputFile>[3]['find'],
  ): Promise<void> => {
    const admission = await gate.admit(headersOf(req))
    const release = gate.hold(admission.key.id)
    try {
      await serveOutputFile(req, res, path, {
        store: options.store,
        find,
        owner: admission.key.id,
      })
    } finally {
      release()
    }
  }

  const serveConsole = consoleFiles(options.consoleDir)
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = parseRequestTarget(req.url)
    if (target === undefined)
      throw new ApiRefusal(400, 'BAD_REQUEST', 'the request target is not a valid path')
    const { path } = target
    const label = KNOWN_PATHS.has(path) ? path : 'other'
    const stop = m.seconds.startTimer({ path: label })
    res.once('finish', () => {
      stop()
      m.requests.inc({ path: label, status: String(res.statusCode) })
    })
    const read = req.method === 'GET' || req.method === 'HEAD'
    if (req.method === 'GET' && path === '/health') {
      const report = await options.health()
      sendJson(res, report.status === 'failing' ? 503 : 200, report)
      return
    }
    if (req.method === 'GET' && path === '/metrics') {
      const body = await scrape.metrics()
      res.writeHead(200, { 'content-type': scrape.contentType })
      res.end(body)
      return
    }
    if (path === '/graphql') return serveGraphql(req, res)
    if (read && (path === '/' || path === CONSOLE_PATH || path.startsWith(`${CONSOLE_PATH}/`))) {
      serveConsole(req, res, path)
      return
    }
    if (req.method === 'GET' && path.startsWith('/live/') && !path.endsWith('/ws'))
      return serveLiveRoute(req, res, target)
    if (read && path.startsWith('/replays/'))
      return serveDownload(req, res, path, (owner, id, name) =>
        options.replays.file(owner, id, name),
      )
    const recordings = options.recordings
    if (read && path.startsWith('/recordings/') && recordings !== undefined)
      return serveDownload(req, res, path, (owner, id, name) => recordings.file(owner, id, name))
    sendJson(res, 404, {
      error:
        'not found; GET /console/, POST /graphql, GET /replays/<id>/<file>, GET /recordings/<id>/<file>, GET /live/<stream>, GET /health, GET /metrics',
      code: 'NOT_FOUND',
    })
  }

  /** The last resort: whatever escapes a handler becomes an answer, never a crash. */
  const answerError = (req: IncomingMessage, res: ServerResponse, e: unknown): void => {
    const refusal =
      e instanceof HttpRequestError
        ? new ApiRefusal(
            e.status,
            BODY_REFUSAL_CODES[e.status] ?? 'BAD_REQUEST',
            e.message,
            e.headers,
          )
        : e
    if (refusal instanceof ApiRefusal) {
      sendRefusal(res, refusal, (req.url ?? '').startsWith('/graphql'))
      return
    }
    const errorId = randomUUID()
    m.failures.inc()
    options.log('request_failed', {
      errorId,
      url: (req.url ?? '').slice(0, 200),
      error: errorText(e),
      stack: e instanceof Error ? e.stack : undefined,
    })
    sendJson(res, 500, { error: `internal error; it was logged as ${errorId}`, errorId })
  }

  const server = createServer((req, res) => {
    try {
      route(req, res).catch((e: unknown) => answerError(req, res, e))
    } catch (e) {
      answerError(req, res, e)
    }
  })
  server.headersTimeout = limits.headersTimeoutMs
  // Node's own backstop behind the body timeouts (live responses outlast it: it bounds receipt).
  server.requestTimeout = limits.headersTimeoutMs + limits.bodyTimeoutMs + 5_000

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Once upgraded the socket is ours: an error on it must not reach the process.
    socket.on('error', () => socket.destroy())
    try {
      const target = parseRequestTarget(req.url)
      const match = target === undefined ? null : /^\/live\/([^/]+)\/ws$/.exec(target.path)
      const hash = match === null ? undefined : decodeSegment(match[1] as string)
      if (target === undefined || liveSocket === undefined || hash === undefined) {
        refuseUpgrade(socket, target === undefined ? 400 : 404, 'Not Found')
        return
      }
      const headers = headersOf(req)
      // Browsers cannot set headers on a WebSocket: the key may come as ?key=.
      const given = target.query.get('key')
      if (given !== null && !headers.has('x-api-key')) headers.set('x-api-key', given)
      liveSocket.accept(
        req,
        socket,
        head,
        { hash, cursor: target.query.get('cursor') ?? undefined },
        async () => {
          const admission = await gate.admit(headers)
          return { follower: follower(admission), release: gate.holdLive(admission.key.id) }
        },
      )
    } catch (e) {
      m.failures.inc()
      options.log('upgrade_failed', { url: (req.url ?? '').slice(0, 200), error: errorText(e) })
      socket.destroy()
    }
  })

  return {
    server,
    metrics: m.registry,
    close() {
      access?.close()
      liveSocket?.close()
    },
  }
}
