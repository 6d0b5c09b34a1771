import {
  BUCKET_TEXT_WIDTH,
  bucketFromText,
  bucketText,
  type Granularity,
} from '../schemas/index.js'

/*
 * Keys within a speed route: view values under `v`, ordered by stream, view, granularity and
 * bucket so a stream's range is one scan; the ids the route has counted under `s`; the hand-off
 * jobs it has applied under `j`. An entry of a keyed view (one author of author_influence) is a
 * row of its own, its sub-key after U+0001, so a commit rewrites the authors it touched rather
 * than the whole bucket's map.
 */

const SEP = '\u0000'
const SUB = '\u0001'

export function valueKey(
  stream: string,
  view: string,
  granularity: Granularity,
  bucket: number,
  key: string,
  sub?: string,
): string {
  const base = `v${SEP}${stream}${SEP}${view}${SEP}${granularity}${SEP}${bucketText(bucket)}${SEP}${key}`
  return sub === undefined ? base : `${base}${SUB}${sub}`
}

/** The keys of a stream's view buckets starting in `[from, to)` at `granularity`. */
export function valueRange(
  stream: string,
  view: string,
  granularity: Granularity,
  from: number,
  to: number,
): readonly [string, string] {
  const prefix = `v${SEP}${stream}${SEP}${view}${SEP}${granularity}${SEP}`
  return [prefix + bucketText(from), prefix + bucketText(to)]
}

/** The granularity, bucket, view key and sub-key of a key from {@link valueRange}'s range. */
export function parseValueKey(rowKey: string): {
  readonly granularity: Granularity
  readonly bucket: number
  readonly key: string
  readonly sub: string | undefined
} {
  let at = 0
  let granularityAt = 0
  for (let i = 0; i < 4; i++) {
    if (i === 3) granularityAt = at
    at = rowKey.indexOf(SEP, at) + 1
  }
  const rest = rowKey.slice(at + BUCKET_TEXT_WIDTH + 1)
  const cut = rest.indexOf(SUB)
  return {
    granularity: rowKey.slice(granularityAt, at - 1) as Granularity,
    bucket: bucketFromText(rowKey.slice(at, at + BUCKET_TEXT_WIDTH)),
    key: cut < 0 ? rest : rest.slice(0, cut),
    sub: cut < 0 ? undefined : rest.slice(cut + 1),
  }
}

export const seenKey = (id: string): string => `s${SEP}${id}`
export const jobKey = (job: string): string => `j${SEP}${job}`
