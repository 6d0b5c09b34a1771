import { promisify } from 'node:util'
import { gunzip, gzip } from 'node:zlib'
import { byRecordTime, parseSortableLine, sortableLine } from '../../schemas/index.js'
import { getJson, putJson, type ObjectStore } from '../../schemas/ports/index.js'
import type { ReplayJob } from './replay-types.js'
import {
  replayActiveKey,
  replayCancelledKey,
  replayChunkKey,
  replayFailedKey,
  replayDayDoneKey,
  replayManifestKey,
  replayTaskDoneKey,
  replayTaskOutputKey,
} from './replay-layout.js'
import { writeChunks, type OutputChunk } from '../outputs/output-chunks.js'
import type { ReplayRecord } from './replay-scan.js'

const gzipAsync = promisify(gzip)
const gunzipAsync = promisify(gunzip)

/** A finished task's figures (`tasks/<date>/<type>.json`). */
export interface ReplayTaskDone {
  readonly type: string
  readonly date: string
  readonly rowsScanned: number
  readonly matches: number
  readonly startedAt: string
  readonly finishedAt: string
}

/** One output file. */
export type ReplayChunk = OutputChunk

/** A replay's whole output, written when its last day is done. */
export interface ReplayManifest {
  readonly id: string
  readonly format: ReplayJob['format']
  readonly records: number
  readonly bytes: number
  readonly chunks: readonly ReplayChunk[]
  readonly completedAt: string
}

/** The days a replay's output covers, in order. */
export function replayDays(job: ReplayJob): string[] {
  return [...new Set(job.partitions.map((p) => p.date))].sort()
}

export const readTaskDone = (store: ObjectStore, job: ReplayJob, date: string, type: string) =>
  getJson<ReplayTaskDone>(store, replayTaskDoneKey(job.id, date, type))
export const readDayChunks = (store: ObjectStore, job: ReplayJob, date: string) =>
  getJson<readonly ReplayChunk[]>(store, replayDayDoneKey(job.id, date))
export const readReplayManifest = (store: ObjectStore, id: string) =>
  getJson<ReplayManifest>(store, replayManifestKey(id))
export const readReplayFailure = (store: ObjectStore, id: string) =>
  getJson<{ reason: string; failedAt: string }>(store, replayFailedKey(id))
export const readReplayCancelled = (store: ObjectStore, id: string) =>
  getJson<{ cancelledAt: string }>(store, replayCancelledKey(id))

/** Records why a replay stopped: a task that can never succeed. */
export async function failReplay(store: ObjectStore, id: string, reason: string): Promise<void> {
  await putJson(store, replayFailedKey(id), { reason, failedAt: new Date().toISOString() })
  await store.delete(replayActiveKey(id))
}

/**
 * Stores one task's matches and then its figures. Both keys derive from the task, so a retried
 * task replaces what a killed attempt wrote, and the figures exist only once the matches do.
 */
export async function writeTaskOutput(
  store: ObjectStore,
  job: ReplayJob,
  done: ReplayTaskDone,
  records: readonly ReplayRecord[],
): Promise<void> {
  const text = records.map((r) => `${sortableLine(r)}\n`).join('')
  await store.put(
    replayTaskOutputKey(job.id, done.date, done.type),
    await gzipAsync(text, { level: 1 }),
  )
  await putJson(store, replayTaskDoneKey(job.id, done.date, done.type), done)
}

async function readTaskOutput(
  store: ObjectStore,
  job: ReplayJob,
  date: string,
  type: string,
): Promise<ReplayRecord[]> {
  const bytes = await store.get(replayTaskOutputKey(job.id, date, type))
  if (bytes === undefined) throw new ReplayOutputGone(job.id, date, type)
  const text = (await gunzipAsync(bytes)).toString('utf8')
  return text === '' ? [] : text.slice(0, -1).split('\n').map(parseSortableLine)
}

/** A task's matches were removed (the replay was finished meanwhile by another worker). */
export class ReplayOutputGone extends Error {
  override readonly name = 'ReplayOutputGone'
  constructor(
    readonly replay: string,
    readonly date: string,
    readonly type: string,
  ) {
    super(`replay ${replay}: the matches of ${type} on ${date} are gone`)
  }
}

/**
 * Once every task of `date` is done, writes the day's chunks (its types merged in time order,
 * `chunkRecords` per file) and then the day's list of them. Whoever finishes a day's last task
 * does it; two doing it at once write the same bytes to the same keys.
 */
export async function finishDay(
  store: ObjectStore,
  job: ReplayJob,
  date: string,
): Promise<boolean> {
  if ((await readDayChunks(store, job, date)) !== undefined) return true
  const types = job.partitions.filter((p) => p.date === date).map((p) => p.type)
  for (const type of types)
    if ((await readTaskDone(store, job, date, type)) === undefined) return false
  const records: ReplayRecord[] = []
  try {
    for (const type of types) records.push(...(await readTaskOutput(store, job, date, type)))
  } catch (e) {
    // Only a finished day's task outputs are ever removed.
    if (e instanceof ReplayOutputGone && (await readDayChunks(store, job, date)) !== undefined)
      return true
    throw e
  }
  if (types.length > 1) records.sort(byRecordTime)
  const chunks = await writeChunks(store, records, {
    keyOf: (n) => replayChunkKey(job.id, date, n, job.format),
    format: job.format,
    perChunk: job.chunkRecords,
  })
  await putJson(store, replayDayDoneKey(job.id, date), chunks)
  return true
}

/**
 * Once every day is done, writes the manifest (every chunk in order) and removes the task
 * outputs the chunks were made from. Idempotent, like {@link finishDay}.
 */
export async function finishReplay(
  store: ObjectStore,
  job: ReplayJob,
  now = new Date(),
): Promise<ReplayManifest | undefined> {
  const existing = await readReplayManifest(store, job.id)
  if (existing !== undefined) return existing
  const chunks: ReplayChunk[] = []
  for (const date of replayDays(job)) {
    const day = await readDayChunks(store, job, date)
    if (day === undefined) return undefined
    chunks.push(...day)
  }
  const manifest: ReplayManifest = {
    id: job.id,
    format: job.format,
    records: chunks.reduce((n, c) => n + c.records, 0),
    bytes: chunks.reduce((n, c) => n + c.bytes, 0),
    chunks,
    completedAt: now.toISOString(),
  }
  await putJson(store, replayManifestKey(job.id), manifest)
  await store.delete(replayActiveKey(job.id))
  for (const p of job.partitions) await store.delete(replayTaskOutputKey(job.id, p.date, p.type))
  return manifest
}
