import type { ApiContext } from '../graphql/graphql-resolvers.js'
import { userError } from '../graphql/graphql-resolvers.js'
import { RecordingError } from './recording-job.js'
import type { RecordingService } from './recording-service.js'
import type { RecordingFormat, RecordingStatus } from './recording-types.js'

interface ScheduleArgs {
  readonly stream: string
  readonly start: number
  readonly end: number
  readonly format?: string | null
  readonly fields?: readonly string[] | null
  readonly name?: string | null
}

/** Runs a recording call, turning what the caller can fix into errors that say so. */
async function recordingCall<T>(
  ctx: ApiContext,
  work: (recordings: RecordingService) => Promise<T>,
): Promise<T> {
  if (ctx.recordings === undefined)
    throw userError(
      'recordings need the speed layer: this server follows none (run sluice serve with --queue redis://… beside sluice speed, or sluice stack)',
      'UNAVAILABLE',
    )
  try {
    return await work(ctx.recordings)
  } catch (e) {
    if (e instanceof RecordingError) throw userError(e.message, e.code)
    throw e
  }
}

export const RECORDING_RESOLVERS = {
  Query: {
    recording: (_: unknown, { id }: { id: string }, ctx: ApiContext) =>
      recordingCall(ctx, async (r) => (await r.get(ctx.key.id, id)) ?? null),
    recordings: (_: unknown, __: unknown, ctx: ApiContext) =>
      recordingCall(ctx, (r) => r.list(ctx.key.id)),
  },
  Mutation: {
    scheduleRecording: (_: unknown, args: ScheduleArgs, ctx: ApiContext) =>
      recordingCall(ctx, (r) =>
        r.schedule({
          owner: ctx.key.id,
          stream: args.stream,
          start: args.start,
          end: args.end,
          format: (args.format ?? 'NDJSON').toLowerCase() as RecordingFormat,
          ...(args.fields == null ? {} : { fields: args.fields }),
          ...(args.name == null ? {} : { name: args.name }),
        }),
      ),
    cancelRecording: (_: unknown, { id }: { id: string }, ctx: ApiContext) =>
      recordingCall(ctx, (r) => r.cancel(ctx.key.id, id)),
    deleteRecording: (_: unknown, { id }: { id: string }, ctx: ApiContext) =>
      recordingCall(ctx, (r) => r.delete(ctx.key.id, id)),
  },
  Recording: {
    id: (s: RecordingStatus) => s.job.id,
    name: (s: RecordingStatus) => s.job.name ?? null,
    stream: (s: RecordingStatus) => s.job.stream,
    start: (s: RecordingStatus) => s.job.start,
    end: (s: RecordingStatus) => s.end,
    scheduledEnd: (s: RecordingStatus) => s.job.end,
    format: (s: RecordingStatus) => s.job.format.toUpperCase(),
    fields: (s: RecordingStatus) => s.job.fields,
    createdAt: (s: RecordingStatus) => Date.parse(s.job.createdAt),
    cancelledAt: (s: RecordingStatus) => s.cancelledAt ?? null,
    state: (s: RecordingStatus) => s.state.toUpperCase(),
    reason: (s: RecordingStatus) => s.reason ?? null,
    manifestUrl: (s: RecordingStatus) =>
      s.manifest === undefined ? null : `/recordings/${s.job.id}/manifest.json`,
  },
}
