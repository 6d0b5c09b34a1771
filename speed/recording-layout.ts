/*
 * Where a scheduled recording keeps its state, its durable log and its output in the object
 * store, all under `recordings/<id>/`:
 *
 *   job.json                               what was asked (stream, [start, end), format, fields)
 *   log/<date>/<job>~<n>.ndjson.gz         the speed layer's appends: the n matches of one
 *                                          hand-off job created on <date>, as sortable lines;
 *                                          the key derives from the job, so a redelivered job
 *                                          rewrites its segment instead of adding one
 *   chunks/<date>-<nnn>.<ext>              the output, chronological across chunks
 *   manifest.json                          every chunk in order, written last
 *   cancelled.json, failed.json            why it ended early
 *
 * and, empty, `recordings/_owners/<key id>/<id>` lists a key's recordings, and
 * `recordings/_active/<id>` the ones the speed layer appends to and the finalizer watches.
 */
import { randomBytes } from 'node:crypto'

export const RECORDINGS_PREFIX = 'recordings/'
export const RECORDINGS_ACTIVE_PREFIX = `${RECORDINGS_PREFIX}_active/`

/** How often the speed layer re-reads the active recordings. */
export const RECORDING_REFRESH_MS = 1000
/**
 * How far ahead of now a recording must start: the speed processes must have read it before
 * its first interaction is matched.
 */
export const MIN_RECORDING_LEAD_MS = 5 * RECORDING_REFRESH_MS

const ID = /^rec_[0-9a-f]{16}$/

export function newRecordingId(): string {
  return `rec_${randomBytes(8).toString('hex')}`
}

export function isRecordingId(value: string): boolean {
  return ID.test(value)
}

/** What the speed layer needs of a recording to append to it. */
export interface RecordingWindow {
  readonly id: string
  /** The stream's hash. */
  readonly stream: string
  /** `[start, end)` of `interaction.created_at`, epoch ms. */
  readonly start: number
  readonly end: number
}

export const recordingPrefix = (id: string): string => `${RECORDINGS_PREFIX}${id}/`
export const recordingJobKey = (id: string): string => `${recordingPrefix(id)}job.json`
export const recordingActiveKey = (id: string): string => `${RECORDINGS_ACTIVE_PREFIX}${id}`
export const recordingOwnerKey = (owner: string, id: string): string =>
  `${RECORDINGS_PREFIX}_owners/${owner}/${id}`
export const recordingManifestKey = (id: string): string => `${recordingPrefix(id)}manifest.json`
export const recordingCancelledKey = (id: string): string => `${recordingPrefix(id)}cancelled.json`
export const recordingFailedKey = (id: string): string => `${recordingPrefix(id)}failed.json`
export const recordingLogPrefix = (id: string, date?: string): string =>
  `${recordingPrefix(id)}log/${date === undefined ? '' : `${date}/`}`
export const recordingChunksPrefix = (id: string): string => `${recordingPrefix(id)}chunks/`

export function recordingLogKey(id: string, date: string, job: string, records: number): string {
  return `${recordingLogPrefix(id, date)}${job}~${records}.ndjson.gz`
}

/** A log segment's key → its job and record count (undefined for anything else). */
export function parseRecordingLogKey(
  key: string,
): { date: string; job: string; records: number } | undefined {
  const m = /\/log\/(\d{4}-\d{2}-\d{2})\/([^/~]+)~(\d+)\.ndjson\.gz$/.exec(key)
  return m === null
    ? undefined
    : { date: m[1] as string, job: m[2] as string, records: Number(m[3]) }
}
