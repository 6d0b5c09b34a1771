import type { StreamCatalog } from '../../query-dsl/index.js'
import { getJson, listAll, putJson, type ObjectStore } from '../../schemas/ports/index.js'
import {
  MIN_RECORDING_LEAD_MS,
  isRecordingId,
  newRecordingId,
  recordingActiveKey,
  recordingCancelledKey,
  recordingJobKey,
  recordingOwnerKey,
  recordingPrefix,
} from '../../speed/index.js'
import { checkCsvFields, CsvFieldError, DEFAULT_CSV_FIELDS } from './chunk-csv.js'
import type { RecordingFormat, RecordingJob } from './recording-types.js'
import { DEFAULT_CHUNK_RECORDS, MAX_JOB_NAME_LENGTH } from '../replays/replay-job.js'

const DAY_MS = 86_400_000
/** The longest window a recording may cover. */
export const MAX_RECORDING_MS = 31 * DAY_MS

export type RecordingErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'LIMIT_EXCEEDED'

/** A recording request or action the caller can fix; the message says how. */
export class RecordingError extends Error {
  override readonly name = 'RecordingError'
  constructor(
    readonly code: RecordingErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/** What a caller asks for. */
export interface RecordingAsk {
  readonly owner: string
  readonly stream: string
  readonly start: number
  readonly end: number
  readonly format: RecordingFormat
  readonly fields?: readonly string[]
  readonly name?: string
}

export interface ScheduleOptions {
  readonly now?: number
  /** Recordings a key may have scheduled, recording or finalizing at once. */
  readonly maxActive: number
  readonly chunkRecords?: number
}

const iso = (ms: number): string => new Date(ms).toISOString()

/** Throws {@link RecordingError} for a window or columns that cannot be recorded. */
function checkAsk(ask: RecordingAsk, now: number): void {
  if (!Number.isFinite(ask.start) || !Number.isFinite(ask.end))
    throw new RecordingError('BAD_USER_INPUT', 'start and end must be instants')
  if (ask.start < now)
    throw new RecordingError(
      'BAD_USER_INPUT',
      `start ${iso(ask.start)} is in the past: a recording keeps matches from now on; for matches already made, run a replay (createReplay) over that range`,
    )
  if (ask.start < now + MIN_RECORDING_LEAD_MS)
    throw new RecordingError(
      'BAD_USER_INPUT',
      `start must be at least ${MIN_RECORDING_LEAD_MS / 1000} s ahead (the speed layer picks new recordings up within seconds): ${iso(now + MIN_RECORDING_LEAD_MS)} or later`,
    )
  if (ask.end <= ask.start)
    throw new RecordingError(
      'BAD_USER_INPUT',
      `end ${iso(ask.end)} must follow start ${iso(ask.start)}`,
    )
  if (ask.end - ask.start > MAX_RECORDING_MS)
    throw new RecordingError(
      'BAD_USER_INPUT',
      `a recording covers at most ${MAX_RECORDING_MS / DAY_MS} days; schedule several`,
    )
  if (ask.name !== undefined && ask.name.length > MAX_JOB_NAME_LENGTH)
    throw new RecordingError(
      'BAD_USER_INPUT',
      `a recording's name may have ${MAX_JOB_NAME_LENGTH} characters; this one has ${ask.name.length}`,
    )
  if (ask.fields !== undefined && ask.format !== 'csv')
    throw new RecordingError('BAD_USER_INPUT', 'fields choose the columns of CSV; use format CSV')
  if (ask.fields !== undefined && ask.fields.length === 0)
    throw new RecordingError('BAD_USER_INPUT', 'fields must name at least one target')
  try {
    checkCsvFields(ask.fields ?? [])
  } catch (e) {
    if (e instanceof CsvFieldError) throw new RecordingError('BAD_USER_INPUT', e.message)
    throw e
  }
}

export function readRecordingJob(
  store: ObjectStore,
  id: string,
): Promise<RecordingJob | undefined> {
  // Anything but an id this server makes names no recording (and no other key).
  if (!isRecordingId(id)) return Promise.resolve(undefined)
  return getJson<RecordingJob>(store, recordingJobKey(id))
}

/** The owner's recordings, newest first. */
export async function listRecordingJobs(
  store: ObjectStore,
  owner: string,
): Promise<RecordingJob[]> {
  const jobs: RecordingJob[] = []
  for await (const o of listAll(store, recordingOwnerKey(owner, ''))) {
    const job = await readRecordingJob(store, o.key.slice(o.key.lastIndexOf('/') + 1))
    if (job !== undefined) jobs.push(job)
  }
  return jobs.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))
}

async function activeCount(store: ObjectStore, owner: string): Promise<number> {
  let n = 0
  for await (const o of listAll(store, recordingOwnerKey(owner, '')))
    if (
      (await store.head(recordingActiveKey(o.key.slice(o.key.lastIndexOf('/') + 1)))) !== undefined
    )
      n++
  return n
}

/**
 * Schedules a recording of one of the owner's streams: its job file, then the owner's list,
 * then the active list the speed layer appends from.
 */
export async function scheduleRecording(
  store: ObjectStore,
  catalog: StreamCatalog,
  ask: RecordingAsk,
  options: ScheduleOptions,
): Promise<RecordingJob> {
  const now = options.now ?? Date.now()
  checkAsk(ask, now)
  const stream = await catalog.get(ask.stream)
  if (stream === undefined || !(ask.owner in stream.owners))
    throw new RecordingError(
      'NOT_FOUND',
      `you have no stream ${ask.stream}; register it first (createStream)`,
    )
  if ((await activeCount(store, ask.owner)) >= options.maxActive)
    throw new RecordingError(
      'LIMIT_EXCEEDED',
      `a key may have ${options.maxActive} recordings scheduled or running at once; wait for one to finish or cancel one`,
    )
  const job: RecordingJob = {
    id: newRecordingId(),
    owner: ask.owner,
    stream: ask.stream,
    start: ask.start,
    end: ask.end,
    format: ask.format,
    fields: ask.format === 'csv' ? (ask.fields ?? DEFAULT_CSV_FIELDS) : [],
    createdAt: iso(now),
    chunkRecords: options.chunkRecords ?? DEFAULT_CHUNK_RECORDS,
    ...(ask.name === undefined ? {} : { name: ask.name }),
  }
  await putJson(store, recordingJobKey(job.id), job)
  await store.put(recordingOwnerKey(job.owner, job.id), new Uint8Array())
  await store.put(recordingActiveKey(job.id), new Uint8Array())
  return job
}

/**
 * Cancels a recording: one not started yet records nothing and leaves the active list; a
 * running one ends now and is finalized with what it has.
 */
export async function cancelRecording(
  store: ObjectStore,
  job: RecordingJob,
  now = Date.now(),
): Promise<void> {
  await putJson(store, recordingCancelledKey(job.id), { cancelledAt: now })
  if (now <= job.start) await store.delete(recordingActiveKey(job.id))
}

/** Removes a recording and everything it stored. */
export async function deleteRecording(store: ObjectStore, job: RecordingJob): Promise<void> {
  await store.delete(recordingActiveKey(job.id))
  await store.delete(recordingOwnerKey(job.owner, job.id))
  const keys: string[] = []
  for await (const o of listAll(store, recordingPrefix(job.id))) keys.push(o.key)
  // The job file last: until then the recording can still be found and deleted again.
  const jobKey = recordingJobKey(job.id)
  for (const key of keys) if (key !== jobKey) await store.delete(key)
  await store.delete(jobKey)
}
