/*
 * Where a replay keeps its state and output in the object store, all under `replays/<id>/`:
 *
 *   job.json                      what was asked, the master version read, the partitions
 *   tasks/<date>/<type>.ndjson.gz one partition's matches, sorted by time (replaced on retry)
 *   tasks/<date>/<type>.json      that partition's figures, written after its matches
 *   chunks/<date>-<nnn>.<ext>     the output, chronological across chunks
 *   chunks/<date>.json            the day's chunks, written after them (the day is done)
 *   manifest.json                 every chunk in order, written when the last day is done
 *   cancelled.json, failed.json   why it stopped early
 *
 * and, empty, `replays/_owners/<key id>/<id>` lists a key's replays without reading the rest,
 * `replays/_active/<id>` the replays still running (so one scan can serve several).
 */
import { randomBytes } from 'node:crypto'

export const REPLAYS_PREFIX = 'replays/'

export type ReplayFormat = 'ndjson' | 'parquet'

/** The formats of output chunks (recordings also offer CSV). */
export type ChunkFormat = ReplayFormat | 'csv'

const ID = /^r_[0-9a-f]{16}$/

export function newReplayId(): string {
  return `r_${randomBytes(8).toString('hex')}`
}

export function isReplayId(value: string): boolean {
  return ID.test(value)
}

export const replayOwnerKey = (owner: string, id: string): string =>
  `${REPLAYS_PREFIX}_owners/${owner}/${id}`
export const REPLAYS_ACTIVE_PREFIX = `${REPLAYS_PREFIX}_active/`
export const replayActiveKey = (id: string): string => `${REPLAYS_ACTIVE_PREFIX}${id}`
export const replayPrefix = (id: string): string => `${REPLAYS_PREFIX}${id}/`
export const replayJobKey = (id: string): string => `${replayPrefix(id)}job.json`
export const replayManifestKey = (id: string): string => `${replayPrefix(id)}manifest.json`
export const replayCancelledKey = (id: string): string => `${replayPrefix(id)}cancelled.json`
export const replayFailedKey = (id: string): string => `${replayPrefix(id)}failed.json`
export const replayTasksPrefix = (id: string): string => `${replayPrefix(id)}tasks/`
export const replayTaskOutputKey = (id: string, date: string, type: string): string =>
  `${replayTasksPrefix(id)}${date}/${type}.ndjson.gz`
export const replayTaskDoneKey = (id: string, date: string, type: string): string =>
  `${replayTasksPrefix(id)}${date}/${type}.json`
export const replayChunksPrefix = (id: string): string => `${replayPrefix(id)}chunks/`
export const replayDayDoneKey = (id: string, date: string): string =>
  `${replayChunksPrefix(id)}${date}.json`

/** File name extension of a chunk in `format`. */
export function chunkExtension(format: ChunkFormat): string {
  return format === 'ndjson' ? 'ndjson.gz' : format === 'csv' ? 'csv.gz' : 'parquet'
}

/** The n-th output chunk of `date` under `prefix`: `<prefix><date>-<nnn>.<ext>`. */
export function chunkKey(prefix: string, date: string, n: number, format: ChunkFormat): string {
  return `${prefix}${date}-${String(n).padStart(3, '0')}.${chunkExtension(format)}`
}

export function replayChunkKey(id: string, date: string, n: number, format: ReplayFormat): string {
  return chunkKey(replayChunksPrefix(id), date, n, format)
}

/** `tasks/<date>/<type>.json` → its date and type. */
export function parseTaskDoneKey(
  id: string,
  key: string,
): { date: string; type: string } | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})\/([^/]+)\.json$/.exec(key.slice(replayTasksPrefix(id).length))
  return m === null ? undefined : { date: m[1] as string, type: m[2] as string }
}
