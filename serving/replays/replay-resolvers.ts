import type { ApiContext } from '../graphql/graphql-resolvers.js'
import { asCsdlError, userError } from '../graphql/graphql-resolvers.js'
import { ReplayError } from './replay-job.js'
import type { ReplayChunk } from './replay-output.js'
import type { ReplayAsk } from './replay-service.js'
import type { ReplayStatus } from './replay-status.js'

interface AskArgs {
  readonly stream?: string | null
  readonly csdl?: string | null
  readonly from: number
  readonly to: number
  readonly types?: readonly string[] | null
  readonly format?: string | null
  readonly name?: string | null
}

function ask(args: AskArgs, ctx: ApiContext): ReplayAsk {
  return {
    owner: ctx.key.id,
    from: args.from,
    to: args.to,
    format: args.format === 'PARQUET' ? 'parquet' : 'ndjson',
    ...(args.stream == null ? {} : { stream: args.stream }),
    ...(args.csdl == null ? {} : { csdl: args.csdl }),
    ...(args.types == null ? {} : { types: args.types }),
    ...(args.name == null ? {} : { name: args.name }),
  }
}

/** Runs a replay call, turning what the caller can fix into errors that say so. */
async function replayCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (e) {
    if (e instanceof ReplayError) throw userError(e.message, e.code)
    throw asCsdlError(e)
  }
}

const chunkName = (c: ReplayChunk): string => c.key.slice(c.key.lastIndexOf('/') + 1)

export const REPLAY_RESOLVERS = {
  Query: {
    estimateReplay: (_: unknown, args: AskArgs, ctx: ApiContext) =>
      replayCall(() => ctx.replays.estimate(ask(args, ctx))),
    replay: (_: unknown, { id }: { id: string }, ctx: ApiContext) =>
      replayCall(async () => (await ctx.replays.get(ctx.key.id, id)) ?? null),
    replays: (_: unknown, __: unknown, ctx: ApiContext) =>
      replayCall(() => ctx.replays.list(ctx.key.id)),
  },
  Mutation: {
    createReplay: (_: unknown, args: AskArgs, ctx: ApiContext) =>
      replayCall(() => ctx.replays.create(ask(args, ctx))),
    cancelReplay: (_: unknown, { id }: { id: string }, ctx: ApiContext) =>
      replayCall(() => ctx.replays.cancel(ctx.key.id, id)),
  },
  Replay: {
    id: (s: ReplayStatus) => s.job.id,
    name: (s: ReplayStatus) => s.job.name ?? null,
    stream: (s: ReplayStatus) => s.job.stream ?? null,
    hash: (s: ReplayStatus) => s.job.hash,
    csdl: (s: ReplayStatus) => s.job.csdl,
    from: (s: ReplayStatus) => s.job.from,
    to: (s: ReplayStatus) => s.job.to,
    types: (s: ReplayStatus) => s.job.types ?? null,
    format: (s: ReplayStatus) => s.job.format.toUpperCase(),
    createdAt: (s: ReplayStatus) => Date.parse(s.job.createdAt),
    state: (s: ReplayStatus) => s.state.toUpperCase(),
    reason: (s: ReplayStatus) => s.reason ?? null,
    progress: (s: ReplayStatus) => s,
    chunks: (s: ReplayStatus) => s.chunks,
    manifestUrl: (s: ReplayStatus) =>
      s.manifest === undefined ? null : `/replays/${s.job.id}/manifest.json`,
  },
  ReplayChunk: {
    name: chunkName,
    url: (c: ReplayChunk) => `/${c.key}`,
    presignedUrl: async (c: ReplayChunk, _: unknown, ctx: ApiContext) =>
      (await ctx.replays.presignedUrl(c.key)) ?? null,
  },
}
