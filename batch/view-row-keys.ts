import {
  BUCKET_TEXT_WIDTH,
  bucketFromText,
  bucketText,
  hash32,
  type Granularity,
} from '../schemas/index.js'

/*
 * How view rows are keyed in shards: stream, granularity, bucket, then the view's own key,
 * separated by U+0000 (which none of them contains), so a stream's buckets of one granularity
 * are one ordered range and a bucket's rows are a range within it.
 */

const SEP = '\u0000'

/** The key of a value in a view's shard. */
export function viewRowKey(
  stream: string,
  granularity: Granularity,
  bucket: number,
  key: string,
): string {
  return `${stream}${SEP}${granularity}${SEP}${bucketText(bucket)}${SEP}${key}`
}

/** The key range `[gte, lt)` of a stream's buckets starting in `[from, to)` at `granularity`. */
export function bucketRange(
  stream: string,
  granularity: Granularity,
  from: number,
  to: number,
): readonly [string, string] {
  const prefix = `${stream}${SEP}${granularity}${SEP}`
  return [prefix + bucketText(from), prefix + bucketText(to)]
}

/** The key range of every row of a stream. */
export function streamRange(stream: string): readonly [string, string] {
  return [`${stream}${SEP}`, `${stream}\u0001`]
}

/** The bucket and view key of a row key from {@link bucketRange}'s range. */
export function parseRowKey(rowKey: string): { readonly bucket: number; readonly key: string } {
  const bucketAt = rowKey.indexOf(SEP, rowKey.indexOf(SEP) + 1) + 1
  return {
    bucket: bucketFromText(rowKey.slice(bucketAt, bucketAt + BUCKET_TEXT_WIDTH)),
    key: rowKey.slice(bucketAt + BUCKET_TEXT_WIDTH + 1),
  }
}

/** The shard of a stream's rows: all of one stream's rows of a view are in one shard. */
export function shardOf(stream: string, shards: number): number {
  return hash32(stream) % shards
}
