import { bucketStart, fixedBucketMs, nextBucket, type Granularity } from '../../schemas/index.js'

/** A run of whole buckets of one granularity: one range read of a view store. */
export interface CoverRange {
  readonly granularity: Granularity
  readonly from: number
  readonly to: number
}

/** A time range that cannot be answered as asked, with what to change. */
export class TimeRangeError extends Error {
  override readonly name = 'TimeRangeError'
  constructor(message: string) {
    super(message)
  }
}

const iso = (ms: number): string => new Date(ms).toISOString()

/**
 * `[from, to)` as runs of whole buckets, coarsest first where they fit (greedy from the left,
 * among `allowed`), so a month reads one month row rather than 720 hour rows. Consecutive
 * buckets of one granularity form one range. Throws when the ends are not aligned to the
 * finest allowed granularity.
 */
export function coverRanges(
  from: number,
  to: number,
  allowed: readonly Granularity[],
): CoverRange[] {
  const finest = allowed[0] as Granularity
  if (from >= to) return []
  if (bucketStart(from, finest) !== from || bucketStart(to, finest) !== to)
    throw new TimeRangeError(
      `${iso(from)}–${iso(to)} is not aligned to whole ${finest}s here; round both ends to a ${finest}`,
    )
  const coarsestFirst = [...allowed].reverse()
  const coarsest = coarsestFirst[0] as Granularity
  const out: { granularity: Granularity; from: number; to: number }[] = []
  let at = from
  while (at < to) {
    const g =
      coarsestFirst.find((c) => bucketStart(at, c) === at && nextBucket(at, c) <= to) ?? finest
    // Once at the coarsest granularity the greedy choice stays there: take all its whole
    // buckets at once (a long range would otherwise cost a step per bucket).
    const size = g === coarsest ? fixedBucketMs(g) : undefined
    const end = size === undefined ? nextBucket(at, g) : at + Math.floor((to - at) / size) * size
    const last = out[out.length - 1]
    if (last !== undefined && last.granularity === g && last.to === at) last.to = end
    else out.push({ granularity: g, from: at, to: end })
    at = end
  }
  return out
}
