/**
 * Object keys of the raw log (DESIGN.md, storage layout). A segment's key is a pure function of
 * the segment — source, receipt day, collector and segment number — so uploading it twice
 * writes the same object twice and can never make a duplicate.
 *
 * @example rawSegmentKey('raw', 'reddit', '2026-11-22', 'c1', 7)
 *   // 'raw/source=reddit/date=2026-11-22/c1-7.ndjson.gz'
 */
export function rawSegmentKey(
  area: RawArea,
  source: string,
  date: string,
  collector: string,
  segment: number,
): string {
  return `${area}/source=${source}/date=${date}/${collector}-${segment}.ndjson.gz`
}

/**
 * `raw` holds records as received; `rejects` holds lines the collector set aside as malformed
 * (same envelope, same layout), so nothing received is ever lost and the shredder never sees
 * them.
 */
export const RAW_AREAS = ['raw', 'rejects'] as const
export type RawArea = (typeof RAW_AREAS)[number]

const SEGMENT_KEY =
  /^(raw|rejects)\/source=([^/]+)\/date=(\d{4}-\d{2}-\d{2})\/([A-Za-z0-9_.-]+)-(\d+)\.ndjson\.gz$/

export interface RawSegmentKey {
  readonly area: RawArea
  readonly source: string
  readonly date: string
  readonly collector: string
  readonly segment: number
}

/** The parts of a raw segment key, or `undefined` when `key` is not one. */
export function parseRawSegmentKey(key: string): RawSegmentKey | undefined {
  const m = SEGMENT_KEY.exec(key)
  if (m === null) return undefined
  const [, area, source, date, collector, segment] = m
  if (area === undefined || source === undefined || date === undefined || collector === undefined)
    return undefined
  return {
    area: area === 'raw' ? 'raw' : 'rejects',
    source,
    date,
    collector,
    segment: Number(segment),
  }
}

// Collector ids appear in keys and job ids.
const COLLECTOR_ID = /^[A-Za-z0-9_.]{1,64}$/

/** Whether `id` can name a collector: 1–64 of `A-Z a-z 0-9 _ .` (no `-`, which ends it in keys). */
export function isCollectorId(id: string): boolean {
  return COLLECTOR_ID.test(id)
}
