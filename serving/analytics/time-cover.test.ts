import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  BATCH_GRANULARITIES,
  bucketStart,
  nextBucket,
  SPEED_GRANULARITIES,
  type Granularity,
} from '../../schemas/index.js'
import { coverRanges, type CoverRange } from './time-cover.js'

/** The greedy cover a bucket at a time: what coverRanges must equal, however it gets there. */
function stepwise(from: number, to: number, allowed: readonly Granularity[]): CoverRange[] {
  const finest = allowed[0] as Granularity
  const out: { granularity: Granularity; from: number; to: number }[] = []
  for (let at = from; at < to;) {
    const g =
      [...allowed].reverse().find((c) => bucketStart(at, c) === at && nextBucket(at, c) <= to) ??
      finest
    const end = nextBucket(at, g)
    const last = out.at(-1)
    if (last !== undefined && last.granularity === g && last.to === at) last.to = end
    else out.push({ granularity: g, from: at, to: end })
    at = end
  }
  return out
}

const HOUR = 3_600_000

describe('coverRanges', () => {
  it('equals the bucket-by-bucket greedy cover, for speed and batch granularities', () => {
    const hour = fc.integer({ min: 0, max: 24 * 800 }).map((h) => Date.UTC(2025, 0, 1) + h * HOUR)
    fc.assert(
      fc.property(hour, hour, (a, b) => {
        const [from, to] = a <= b ? [a, b] : [b, a]
        expect(coverRanges(from, to, SPEED_GRANULARITIES)).toEqual(
          stepwise(from, to, SPEED_GRANULARITIES),
        )
        expect(coverRanges(from, to, BATCH_GRANULARITIES)).toEqual(
          stepwise(from, to, BATCH_GRANULARITIES),
        )
      }),
    )
  })

  it('covers two centuries of hours in one range, not two million steps', () => {
    const from = Date.UTC(1970, 0, 1)
    const to = Date.UTC(2200, 0, 1)
    expect(coverRanges(from, to, SPEED_GRANULARITIES)).toEqual([{ granularity: 'hour', from, to }])
  })
})
