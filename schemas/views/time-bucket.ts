/**
 * Time buckets of the views. Batch views keep hour, day, week and month buckets so a long range
 * reads few rows; the speed layer keeps minute and hour buckets. All in UTC; weeks start on
 * Monday (ISO 8601).
 */
export const GRANULARITIES = ['minute', 'hour', 'day', 'week', 'month'] as const
export type Granularity = (typeof GRANULARITIES)[number]

export const BATCH_GRANULARITIES: readonly Granularity[] = ['hour', 'day', 'week', 'month']
export const SPEED_GRANULARITIES: readonly Granularity[] = ['minute', 'hour']

const MINUTE = 60_000
const HOUR = 3_600_000
const DAY = 86_400_000
// 1970-01-01 was a Thursday; the first Monday after it is 1970-01-05.
const MONDAY = 4 * DAY

export function isGranularity(value: string): value is Granularity {
  return (GRANULARITIES as readonly string[]).includes(value)
}

/**
 * The start (epoch ms) of the bucket of granularity `g` that holds `ms`.
 *
 * @example bucketStart(Date.parse('2026-11-22T13:45:00Z'), 'week') // Date.parse('2026-11-16T00:00:00Z')
 */
export function bucketStart(ms: number, g: Granularity): number {
  switch (g) {
    case 'minute':
      return Math.floor(ms / MINUTE) * MINUTE
    case 'hour':
      return Math.floor(ms / HOUR) * HOUR
    case 'day':
      return Math.floor(ms / DAY) * DAY
    case 'week':
      return Math.floor((ms - MONDAY) / (7 * DAY)) * 7 * DAY + MONDAY
    case 'month': {
      const d = new Date(ms)
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
    }
  }
}

/** The length of every bucket of `g`, or undefined for months (28 to 31 days). */
export function fixedBucketMs(g: Granularity): number | undefined {
  switch (g) {
    case 'minute':
      return MINUTE
    case 'hour':
      return HOUR
    case 'day':
      return DAY
    case 'week':
      return 7 * DAY
    case 'month':
      return undefined
  }
}

/** The start of the bucket after the one starting at `start`. */
export function nextBucket(start: number, g: Granularity): number {
  switch (g) {
    case 'minute':
      return start + MINUTE
    case 'hour':
      return start + HOUR
    case 'day':
      return start + DAY
    case 'week':
      return start + 7 * DAY
    case 'month': {
      const d = new Date(start)
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)
    }
  }
}

/** The buckets of granularity `g` that `[from, to)` covers entirely, and the uncovered ends. */
export function coveringBuckets(
  from: number,
  to: number,
  g: Granularity,
): {
  readonly buckets: readonly number[]
  readonly head: readonly [number, number] | undefined
  readonly tail: readonly [number, number] | undefined
} {
  let first = bucketStart(from, g)
  if (first < from) first = nextBucket(first, g)
  const buckets: number[] = []
  let at = first
  while (nextBucket(at, g) <= to) {
    buckets.push(at)
    at = nextBucket(at, g)
  }
  if (buckets.length === 0)
    return { buckets, head: from < to ? [from, to] : undefined, tail: undefined }
  return {
    buckets,
    head: from < first ? [from, first] : undefined,
    tail: at < to ? [at, to] : undefined,
  }
}

// Bucket starts as fixed-width text, so keys that hold them sort in time order (from 1938 on).
const BUCKET_OFFSET = 1e15
export const BUCKET_TEXT_WIDTH = 16

/** A bucket start as sortable text (for the keys of view stores). */
export function bucketText(ms: number): string {
  return String(ms + BUCKET_OFFSET).padStart(BUCKET_TEXT_WIDTH, '0')
}

export function bucketFromText(text: string): number {
  return Number(text) - BUCKET_OFFSET
}
