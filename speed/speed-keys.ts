import {
  BUCKET_TEXT_WIDTH,
  bucketFromText,
  bucketText,
  type Granularity,
} from '../schemas/index.js'

/*
 * Keys within a speed route: bucket rows (every view of one stream, granularity and bucket; see
 * bucket-row.ts) under `v`, ordered by stream, granularity and bucket so a stream's range is one
 * scan; the ids the route has counted under `s`; the hand-off jobs it has applied under `j`.
 */

const SEP = '\u0000'

export function bucketRowKey(stream: string, granularity: Granularity, bucket: number): string {
  return `v${SEP}${stream}${SEP}${granularity}${SEP}${bucketText(bucket)}`
}

/** The keys of a stream's bucket rows starting in `[from, to)` at `granularity`. */
export function bucketRowRange(
  stream: string,
  granularity: Granularity,
  from: number,
  to: number,
): readonly [string, string] {
  return [bucketRowKey(stream, granularity, from), bucketRowKey(stream, granularity, to)]
}

/** Every bucket row of a route, whatever its stream. */
export const ALL_BUCKET_ROWS: readonly [string, string] = [`v${SEP}`, 'v\u0001']

// After a row key: one of its delta slots. Sorts right after the row and before the next one.
const SLOT = '\u0002'

/**
 * Delta slots per bucket row: a commit to a row its writer holds in memory writes only what it
 * adds, into the next free slot, and rewrites the whole row once every slot is used (see
 * route-apply.ts). Readers merge a row with the slots of its generation.
 */
export const DELTA_SLOTS = 8

export function deltaSlotKey(rowKey: string, slot: number): string {
  return `${rowKey}${SLOT}${slot}`
}

/** Every delta slot key of a row. */
export function deltaSlotKeys(rowKey: string): string[] {
  return Array.from({ length: DELTA_SLOTS }, (_, slot) => deltaSlotKey(rowKey, slot))
}

/** The row a key belongs to: the key itself, or the row of a delta slot. */
export function baseRowKey(key: string): string {
  const at = key.indexOf(SLOT)
  return at < 0 ? key : key.slice(0, at)
}

/** The granularity and bucket of a key made by {@link bucketRowKey} (or of one of its slots). */
export function parseBucketRowKey(key: string): {
  readonly granularity: Granularity
  readonly bucket: number
} {
  const rowKey = baseRowKey(key)
  const bucketAt = rowKey.length - BUCKET_TEXT_WIDTH
  const granularityAt = rowKey.lastIndexOf(SEP, bucketAt - 2) + 1
  return {
    granularity: rowKey.slice(granularityAt, bucketAt - 1) as Granularity,
    bucket: bucketFromText(rowKey.slice(bucketAt)),
  }
}

export const seenKey = (id: string): string => `s${SEP}${id}`
export const jobKey = (job: string): string => `j${SEP}${job}`
