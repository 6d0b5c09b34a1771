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

/** The granularity and bucket of a key made by {@link bucketRowKey}. */
export function parseBucketRowKey(rowKey: string): {
  readonly granularity: Granularity
  readonly bucket: number
} {
  const bucketAt = rowKey.length - BUCKET_TEXT_WIDTH
  const granularityAt = rowKey.lastIndexOf(SEP, bucketAt - 2) + 1
  return {
    granularity: rowKey.slice(granularityAt, bucketAt - 1) as Granularity,
    bucket: bucketFromText(rowKey.slice(bucketAt)),
  }
}

export const seenKey = (id: string): string => `s${SEP}${id}`
export const jobKey = (job: string): string => `j${SEP}${job}`
