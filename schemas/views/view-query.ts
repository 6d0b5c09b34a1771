import type { Granularity } from './time-bucket.js'

/** What a read of a view asks, in the batch and the speed layer alike. */
export interface ViewQuery {
  readonly stream: string
  readonly view: string
  readonly granularity: Granularity
  /** Buckets starting in `[from, to)`. */
  readonly from: number
  readonly to: number
  /** Only rows whose view key starts with this (e.g. one dimension of `volume_by`). */
  readonly keyPrefix?: string
}

/** One row of a view answer: a bucket, the view's key, and the monoid value. */
export interface ViewRow {
  readonly bucket: number
  readonly key: string
  readonly value: unknown
}
