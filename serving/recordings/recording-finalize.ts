import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import { byRecordTime, dayOf, parseSortableLine, type MatchedRecord } from '../../schemas/index.js'
import { getJson, listAll, putJson, type ObjectStore } from '../../schemas/ports/index.js'
import {
  parseRecordingLogKey,
  recordingActiveKey,
  recordingCancelledKey,
  recordingChunksPrefix,
  recordingFailedKey,
  recordingLogPrefix,
  recordingManifestKey,
} from '../../speed/index.js'
import { writeChunks, type OutputChunk } from '../outputs/output-chunks.js'
import { chunkKey } from '../replays/replay-layout.js'
import type { RecordingJob, RecordingManifest } from './recording-types.js'

const gunzipAsync = promisify(gunzip)
const DAY_MS = 86_400_000

export const readRecordingManifest = (store: ObjectStore, id: string) =>
  getJson<RecordingManifest>(store, recordingManifestKey(id))
export const readRecordingFailure = (store: ObjectStore, id: string) =>
  getJson<{ reason: string; failedAt: string }>(store, recordingFailedKey(id))
export const readRecordingCancelled = (store: ObjectStore, id: string) =>
  getJson<{ cancelledAt: number }>(store, recordingCancelledKey(id))

/** The end in force: the scheduled one, or the cancellation if earlier. */
export function effectiveEnd(job: RecordingJob, cancelledAt: number | undefined): number {
  return cancelledAt === undefined ? job.end : Math.max(job.start, Math.min(job.end, cancelledAt))
}

/** The days `[start, end)` touches, in order. */
function daysOf(start: number, end: number): string[] {
  const days: string[] = []
  for (let t = Math.floor(start / DAY_MS) * DAY_MS; t < end; t += DAY_MS) days.push(dayOf(t))
  return days
}

/** A day's log as records in `[start, end)`, each id once, in output order. */
async function dayRecords(
  store: ObjectStore,
  job: RecordingJob,
  date: string,
  end: number,
): Promise<MatchedRecord[]> {
  const byId = new Map<string, MatchedRecord>()
  for await (const o of listAll(store, recordingLogPrefix(job.id, date))) {
    if (parseRecordingLogKey(o.key) === undefined) continue
    const bytes = await store.get(o.key)
    if (bytes === undefined) throw new RecordingLogGone(job.id, o.key)
    const text = (await gunzipAsync(bytes)).toString('utf8')
    for (const line of text.split('\n')) {
      if (line === '') continue
      const r = parseSortableLine(line)
      // A job delivered twice, or a record two collectors sent: the first copy stays.
      if (r.at >= job.start && r.at < end && !byId.has(r.id)) byId.set(r.id, r)
    }
  }
  return [...byId.values()].sort(byRecordTime)
}

/** A log segment vanished while being read (another finalizer finished meanwhile). */
export class RecordingLogGone extends Error {
  override readonly name = 'RecordingLogGone'
  constructor(
    readonly recording: string,
    readonly key: string,
  ) {
    super(`recording ${recording}: log segment ${key} is gone`)
  }
}

/**
 * Turns a recording's log into its output: per day, the records of its window de-duplicated by
 * interaction id and in time order, in chunks; then the manifest; then it leaves the active list
 * and its log is removed. Idempotent: finalizing twice (two API servers) writes the same bytes.
 */
export async function finalizeRecording(
  store: ObjectStore,
  job: RecordingJob,
  now = new Date(),
): Promise<RecordingManifest> {
  const existing = await readRecordingManifest(store, job.id)
  if (existing !== undefined) return existing
  const end = effectiveEnd(job, (await readRecordingCancelled(store, job.id))?.cancelledAt)
  const chunks: OutputChunk[] = []
  try {
    for (const date of daysOf(job.start, end)) {
      const records = await dayRecords(store, job, date, end)
      chunks.push(
        ...(await writeChunks(store, records, {
          keyOf: (n) => chunkKey(recordingChunksPrefix(job.id), date, n, job.format),
          format: job.format,
          perChunk: job.chunkRecords,
          fields: job.fields,
        })),
      )
    }
  } catch (e) {
    const done =
      e instanceof RecordingLogGone ? await readRecordingManifest(store, job.id) : undefined
    if (done !== undefined) return done
    throw e
  }
  const manifest: RecordingManifest = {
    id: job.id,
    format: job.format,
    fields: job.fields,
    start: job.start,
    end,
    records: chunks.reduce((n, c) => n + c.records, 0),
    bytes: chunks.reduce((n, c) => n + c.bytes, 0),
    chunks,
    completedAt: now.toISOString(),
  }
  await putJson(store, recordingManifestKey(job.id), manifest)
  await store.delete(recordingActiveKey(job.id))
  const log: string[] = []
  for await (const o of listAll(store, recordingLogPrefix(job.id))) log.push(o.key)
  for (const key of log) await store.delete(key)
  return manifest
}

/** Records why a recording could not be finalized; it leaves the active list. */
export async function failRecording(store: ObjectStore, id: string, reason: string): Promise<void> {
  await putJson(store, recordingFailedKey(id), { reason, failedAt: new Date().toISOString() })
  await store.delete(recordingActiveKey(id))
}
