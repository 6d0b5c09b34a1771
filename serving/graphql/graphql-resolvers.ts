import { GraphQLError, GraphQLScalarType, Kind } from 'graphql'
import { BatchViewsReadError } from '../../batch/index.js'
import {
  StreamNotFoundError,
  CsdlCompileError,
  type StreamCatalog,
  type StreamRecord,
} from '../../query-dsl/index.js'
import {
  bucketStart,
  nextBucket,
  type Granularity,
  type TopDimension,
  type VolumeDimension,
} from '../../schemas/index.js'
import { ApiKeyNotFoundError, type ApiKeyRecord, type ApiKeys } from '../keys/api-keys.js'
import type { Coverage } from '../analytics/merged-views.js'
import { UNIQUES_RELATIVE_ERROR, type StreamAnalytics } from '../analytics/stream-analytics.js'
import type { LiveAccess } from '../live/live-access.js'
import type { RecordingService } from '../recordings/recording-service.js'
import type { ReplayService } from '../replays/replay-service.js'
import { TimeRangeError } from '../analytics/time-cover.js'
import { QueueFullError } from '../filters/fair-queue.js'
import { FilterCompileTimeoutError } from '../filters/threaded-compiler.js'
import { StreamLimitError, type FilterService } from '../filters/filter-service.js'

/** What every resolver gets: the caller's key and the services it may use. */
export interface ApiContext {
  readonly key: ApiKeyRecord
  /** Whether the caller's key is still valid (for connections that outlive the request). */
  readonly keyStillValid: () => Promise<boolean>
  readonly catalog: StreamCatalog
  /** Every filter the caller sends is compiled here, for the caller. */
  readonly filters: FilterService
  readonly keys: ApiKeys
  readonly analytics: StreamAnalytics
  readonly replays: ReplayService
  /** Scheduled recordings; absent when no speed layer feeds this server's store. */
  readonly recordings?: RecordingService
  /** Live delivery; absent when the server follows no matches channel. */
  readonly live?: LiveAccess
}

/** Limits on what one field may ask for, so a query's cost stays bounded. */
export const FIELD_LIMITS = { maxBuckets: 10_000, maxK: 1_000 } as const

/** An error the caller can act on: a code, an HTTP status, and what to change. */
export function userError(message: string, code: string, status = 200): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code, ...(status === 200 ? {} : { http: { status } }) },
  })
}

/**
 * A filter that does not compile, as a GraphQL error with its positioned diagnostics; the
 * filter compiler's refusals (too many waiting, too long to compile) as what to change.
 */
export function asCsdlError(e: unknown): unknown {
  if (e instanceof CsdlCompileError)
    return new GraphQLError(`the filter does not compile:\n${e.message}`, {
      extensions: { code: 'CSDL_INVALID', errors: e.diagnostics },
    })
  if (e instanceof QueueFullError) return userError(e.message, 'RATE_LIMITED', 429)
  if (e instanceof FilterCompileTimeoutError) return userError(e.message, 'QUERY_TOO_COSTLY')
  if (e instanceof StreamLimitError) return userError(e.message, 'LIMIT_EXCEEDED')
  return e
}

const DateTime = new GraphQLScalarType<number, string>({
  name: 'DateTime',
  serialize: (value) => new Date(value as number).toISOString(),
  parseValue: (value) => parseInstant(value),
  parseLiteral: (ast) =>
    parseInstant(
      ast.kind === Kind.STRING ? ast.value : ast.kind === Kind.INT ? Number(ast.value) : undefined,
    ),
})

/** Instants Sluice answers for: nothing was posted before 1970, and 2200 is far enough. */
const EARLIEST = 0
const LATEST = Date.UTC(2200, 0, 1)

function parseInstant(value: unknown): number {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN
  if (!Number.isFinite(ms))
    throw userError(
      `expected an instant as ISO 8601 text (2026-11-23T10:00:00Z) or epoch milliseconds, got ${JSON.stringify(value)?.slice(0, 100)}`,
      'BAD_USER_INPUT',
    )
  if (ms < EARLIEST || ms > LATEST)
    throw userError(
      `${String(value).slice(0, 100)} is outside the instants Sluice answers for (1970-01-01 to 2200-01-01)`,
      'BAD_USER_INPUT',
    )
  return ms
}

const lower = <T extends string>(value: string): T => value.toLowerCase() as T

/** A stream as a caller sees it: the shared record and the caller's name for it. */
interface OwnedStream {
  readonly record: StreamRecord
  readonly name: string
}

function owned(record: StreamRecord | undefined, key: ApiKeyRecord): OwnedStream | undefined {
  const name = record?.owners[key.id]
  return record === undefined || name === undefined ? undefined : { record, name }
}

function requireAdmin(key: ApiKeyRecord): void {
  if (!key.admin) throw userError('managing API keys needs an admin key', 'FORBIDDEN', 403)
}

/** Runs an analytics read, turning range mistakes into errors that say what to change. */
async function answer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (e) {
    if (e instanceof TimeRangeError) throw userError(e.message, 'BAD_USER_INPUT')
    if (e instanceof BatchViewsReadError) throw userError(e.message, 'UNAVAILABLE')
    throw e
  }
}

interface Span {
  readonly from: number
  readonly to: number
}

function checkSpan({ from, to }: Span): void {
  if (!(to > from))
    throw userError(
      `the range must end after it starts (from ${new Date(from).toISOString()}, to ${new Date(to).toISOString()})`,
      'BAD_USER_INPUT',
    )
}

function checkK(k: number): void {
  if (!(k >= 1 && k <= FIELD_LIMITS.maxK))
    throw userError(`k must be between 1 and ${FIELD_LIMITS.maxK}, got ${k}`, 'BAD_USER_INPUT')
}

function checkBuckets(span: Span, g: Granularity): void {
  let n = 0
  for (let at = bucketStart(span.from, g); at < span.to; at = nextBucket(at, g))
    if (++n > FIELD_LIMITS.maxBuckets)
      throw userError(
        `that is over ${FIELD_LIMITS.maxBuckets} ${g} buckets; ask for a coarser granularity or a shorter range`,
        'QUERY_TOO_COSTLY',
      )
}

/** A ranked list's answer: the span and k checked first. */
function ranked<T>(args: Span & { readonly k: number }, work: () => Promise<T>): Promise<T> {
  return answer(async () => {
    checkSpan(args)
    checkK(args.k)
    return work()
  })
}

const coverage = (c: Coverage) => ({
  watermark: Number.isFinite(c.watermark) ? c.watermark : null,
  batchVersion: c.batchVersion,
  batchRows: c.batchRows,
  speedRows: c.speedRows,
})

export const RESOLVERS = {
  DateTime,
  Query: {
    validateCsdl: async (_: unknown, { csdl }: { csdl: string }, ctx: ApiContext) => {
      let result
      try {
        result = await ctx.filters.check(ctx.key.id, csdl)
      } catch (e) {
        throw asCsdlError(e)
      }
      return result.ok
        ? { valid: true, hash: result.hash, dpu: result.dpu, errors: [] }
        : { valid: false, hash: null, dpu: null, errors: result.diagnostics }
    },
    stream: async (_: unknown, { hash }: { hash: string }, ctx: ApiContext) =>
      owned(await ctx.catalog.get(hash), ctx.key) ?? null,
    streams: async (_: unknown, __: unknown, ctx: ApiContext) =>
      (await ctx.catalog.list(ctx.key.id)).map((r) => owned(r, ctx.key) as OwnedStream),
    me: (_: unknown, __: unknown, ctx: ApiContext) => ctx.key,
    apiKeys: async (_: unknown, __: unknown, ctx: ApiContext) => {
      requireAdmin(ctx.key)
      return ctx.keys.list()
    },
  },
  Mutation: {
    createStream: async (
      _: unknown,
      { csdl, name }: { csdl: string; name: string },
      ctx: ApiContext,
    ) => {
      try {
        return owned(await ctx.filters.createStream(ctx.key.id, csdl, name), ctx.key)
      } catch (e) {
        throw asCsdlError(e)
      }
    },
    shareStream: async (
      _: unknown,
      { hash, shared }: { hash: string; shared: boolean },
      ctx: ApiContext,
    ) => {
      try {
        return owned(await ctx.catalog.share(hash, ctx.key.id, shared), ctx.key)
      } catch (e) {
        if (e instanceof StreamNotFoundError)
          throw userError(`you have no stream ${hash}`, 'NOT_FOUND')
        throw e
      }
    },
    deleteStream: async (_: unknown, { hash }: { hash: string }, ctx: ApiContext) => {
      try {
        await ctx.catalog.delete(hash, ctx.key.id)
        return true
      } catch (e) {
        if (e instanceof StreamNotFoundError)
          throw userError(`you have no stream ${hash}`, 'NOT_FOUND')
        throw e
      }
    },
    createApiKey: async (
      _: unknown,
      { name, admin }: { name: string; admin: boolean },
      ctx: ApiContext,
    ) => {
      requireAdmin(ctx.key)
      const { key, record } = await ctx.keys.create(name, admin)
      return { key, apiKey: record }
    },
    revokeApiKey: async (_: unknown, { id }: { id: string }, ctx: ApiContext) => {
      requireAdmin(ctx.key)
      try {
        return await ctx.keys.revoke(id)
      } catch (e) {
        if (e instanceof ApiKeyNotFoundError) throw userError(e.message, 'NOT_FOUND')
        throw e
      }
    },
  },
  ApiKey: {
    createdAt: (k: ApiKeyRecord) => Date.parse(k.createdAt),
    revokedAt: (k: ApiKeyRecord) => (k.revokedAt === undefined ? null : Date.parse(k.revokedAt)),
  },
  Stream: {
    hash: (s: OwnedStream) => s.record.hash,
    name: (s: OwnedStream) => s.name,
    csdl: (s: OwnedStream) => s.record.csdl,
    dpu: (s: OwnedStream) => s.record.dpu,
    createdAt: (s: OwnedStream) => Date.parse(s.record.createdAt),
    shared: (s: OwnedStream, _: unknown, ctx: ApiContext) =>
      (s.record.sharedBy ?? []).includes(ctx.key.id),
    history: (s: OwnedStream, _: unknown, ctx: ApiContext) => {
      const h = ctx.analytics.history(s.record.hash)
      return {
        complete: h.complete,
        batchVersion: h.version,
        watermark: Number.isFinite(h.watermark) ? h.watermark : null,
      }
    },
    timeseries: (
      s: OwnedStream,
      args: Span & { granularity: string; dimension?: string | null },
      ctx: ApiContext,
    ) =>
      answer(async () => {
        checkSpan(args)
        const granularity = lower<Granularity>(args.granularity)
        checkBuckets(args, granularity)
        const { coverage: c, points } = await ctx.analytics.timeseries({
          stream: s.record.hash,
          from: args.from,
          to: args.to,
          granularity,
          ...(args.dimension == null ? {} : { dimension: lower<VolumeDimension>(args.dimension) }),
        })
        return {
          coverage: coverage(c),
          points: points.map((p) => ({ ...p, source: p.source.toUpperCase() })),
        }
      }),
    uniqueAuthors: (s: OwnedStream, args: Span, ctx: ApiContext) =>
      answer(async () => {
        checkSpan(args)
        const r = await ctx.analytics.uniqueAuthors({ stream: s.record.hash, ...args })
        return {
          coverage: coverage(r.coverage),
          estimate: r.estimate,
          relativeError: UNIQUES_RELATIVE_ERROR,
        }
      }),
    top: (s: OwnedStream, args: Span & { dimension: string; k: number }, ctx: ApiContext) =>
      ranked(args, async () => {
        const r = await ctx.analytics.top({
          stream: s.record.hash,
          from: args.from,
          to: args.to,
          k: args.k,
          dimension: lower<TopDimension>(args.dimension),
        })
        return { coverage: coverage(r.coverage), entries: r.entries }
      }),
    influencers: (s: OwnedStream, args: Span & { k: number }, ctx: ApiContext) =>
      ranked(args, async () => {
        const r = await ctx.analytics.influencers({ stream: s.record.hash, ...args })
        return { coverage: coverage(r.coverage), authors: r.authors }
      }),
    domains: (s: OwnedStream, args: Span & { k: number }, ctx: ApiContext) =>
      ranked(args, async () => {
        const r = await ctx.analytics.domains({ stream: s.record.hash, ...args })
        return { coverage: coverage(r.coverage), domains: r.domains }
      }),
  },
}
