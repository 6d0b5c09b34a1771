import type { BatchViews, PinnedBatchViews } from '../../batch/index.js'
import {
  BATCH_GRANULARITIES,
  bucketStart,
  nextBucket,
  SPEED_GRANULARITIES,
  type Granularity,
  type View,
  type ViewQuery,
  type ViewRow,
} from '../../schemas/index.js'
import type { SpeedViews } from '../../speed/index.js'
import { coverRanges, TimeRangeError, type CoverRange } from './time-cover.js'

/** Which layers an answer came from, and where the boundary between them was. */
export interface Coverage {
  /** The batch watermark used (one per answer); -Infinity before the first batch version. */
  readonly watermark: number
  /** The batch version read (0: none yet). */
  readonly batchVersion: number
  /** View rows read from each layer. */
  readonly batchRows: number
  readonly speedRows: number
}

export type BucketSource = 'batch' | 'speed' | 'both'

/** A merged row of a series, and which layers it came from. */
export interface SeriesRow extends ViewRow {
  readonly source: BucketSource
}

/** Reads a stream's view over a range, rows of the given layer. */
type Reader = (query: ViewQuery) => Promise<readonly ViewRow[]>

const iso = (ms: number): string => new Date(ms).toISOString()

/**
 * The merge at the batch boundary: batch views for buckets wholly before the watermark `W`, speed
 * views from `W` on; a bucket that straddles `W` is assembled from batch hours before it and
 * speed hours after it (`W` is always a whole hour). Every answer reads the watermark once and
 * pins the batch version for all its reads, so a version published meanwhile never mixes in.
 * The speed layer keeps its rows until the watermark after `W` is published, so a server still
 * on the previous version finds them.
 */
export class MergedViews {
  private readonly byName: ReadonlyMap<string, View>

  constructor(
    private readonly batch: BatchViews,
    private readonly speed: SpeedViews,
    views: readonly View[],
  ) {
    this.byName = new Map(views.map((v) => [v.name, v]))
  }

  private viewOf(name: string): View {
    const view = this.byName.get(name)
    if (view === undefined) throw new Error(`unknown view ${name}`)
    return view
  }

  private async pinned<T>(
    work: (pin: PinnedBatchViews | undefined, watermark: number) => Promise<T>,
  ): Promise<T> {
    const pin = this.batch.pin()
    try {
      return await work(pin, pin?.watermark ?? -Infinity)
    } finally {
      await pin?.release()
    }
  }

  /**
   * A stream's view per bucket of `granularity` over `[from, to)` (both ends whole buckets),
   * merged per (bucket, key), with the layers each bucket came from.
   */
  /** Whether the batch version now served holds `stream`'s history (see BatchViews.covers). */
  batchHistory(stream: string): { version: number; watermark: number; covered: boolean } {
    return this.batch.covers(stream)
  }

  async series(
    query: ViewQuery,
  ): Promise<{ readonly coverage: Coverage; readonly rows: readonly SeriesRow[] }> {
    const { granularity: g, from, to } = query
    const view = this.viewOf(query.view)
    if (bucketStart(from, g) !== from || bucketStart(to, g) !== to)
      throw new TimeRangeError(
        `${iso(from)}–${iso(to)} is not aligned to whole ${g}s; round both ends to a ${g}`,
      )
    return this.pinned(async (pin, watermark) => {
      if (g === 'minute' && from < watermark)
        throw new TimeRangeError(
          `minute buckets are kept only from the batch watermark ${iso(watermark)} on (the speed window); start there, or ask for hours`,
        )
      const merged = new Map<
        string,
        { bucket: number; key: string; value: unknown; batch: boolean; speed: boolean }
      >()
      let batchRows = 0
      let speedRows = 0
      const add = (rows: readonly ViewRow[], layer: 'batch' | 'speed'): void => {
        for (const r of rows) {
          const bucket = bucketStart(r.bucket, g)
          const at = `${bucket}\u0000${r.key}`
          const mine = merged.get(at)
          // The first value is copied: rows may be shared (the batch read cache) and merges
          // write into their first argument.
          if (mine === undefined)
            merged.set(at, {
              bucket,
              key: r.key,
              value: view.monoid.merge(view.monoid.empty(), r.value),
              batch: layer === 'batch',
              speed: layer === 'speed',
            })
          else {
            mine.value = view.monoid.merge(mine.value, r.value)
            if (layer === 'batch') mine.batch = true
            else mine.speed = true
          }
        }
        if (layer === 'batch') batchRows += rows.length
        else speedRows += rows.length
      }
      // Whole buckets before the watermark come from batch at this granularity.
      let batchEnd = from
      while (batchEnd < to && nextBucket(batchEnd, g) <= watermark)
        batchEnd = nextBucket(batchEnd, g)
      if (pin !== undefined && batchEnd > from)
        add(await pin.range({ ...query, from, to: batchEnd }), 'batch')
      // A bucket holding the watermark: batch hours up to it, speed hours after it.
      if (pin !== undefined && batchEnd < to && batchEnd < watermark)
        add(
          await pin.range({ ...query, granularity: 'hour', from: batchEnd, to: watermark }),
          'batch',
        )
      const speedFrom = Math.max(batchEnd, watermark, from)
      if (speedFrom < to) {
        const speedGranularity: Granularity = g === 'minute' ? 'minute' : 'hour'
        add(
          await this.speed.range({ ...query, granularity: speedGranularity, from: speedFrom, to }),
          'speed',
        )
      }
      const rows = [...merged.values()]
        .map(({ bucket, key, value, batch, speed }): SeriesRow => ({
          bucket,
          key,
          value,
          source: batch && speed ? 'both' : batch ? 'batch' : 'speed',
        }))
        .sort((a, b) => a.bucket - b.bucket || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      return {
        coverage: { watermark, batchVersion: pin?.version ?? 0, batchRows, speedRows },
        rows,
      }
    })
  }

  /**
   * One value per view key over `[from, to)`: batch rows before the watermark (months, weeks and
   * days where whole ones fit, hours at the edges), speed rows after it (hours, minutes at the
   * edges). Ends before the watermark must be whole hours; after it, whole minutes.
   */
  async total(
    query: Omit<ViewQuery, 'granularity'>,
  ): Promise<{ readonly coverage: Coverage; readonly values: ReadonlyMap<string, unknown> }> {
    const view = this.viewOf(query.view)
    return this.pinned(async (pin, watermark) => {
      const values = new Map<string, unknown>()
      const add = (rows: readonly ViewRow[]): void => {
        for (const r of rows) {
          const mine = values.get(r.key)
          values.set(r.key, view.monoid.merge(mine ?? view.monoid.empty(), r.value))
        }
      }
      const read = async (ranges: readonly CoverRange[], reader: Reader): Promise<number> => {
        let n = 0
        for (const range of ranges) {
          const rows = await reader({ ...query, ...range })
          add(rows)
          n += rows.length
        }
        return n
      }
      const split = Math.min(Math.max(query.from, watermark), query.to)
      const batchRanges =
        pin === undefined ? [] : coverRanges(query.from, split, BATCH_GRANULARITIES)
      const speedRanges = coverRanges(split, query.to, SPEED_GRANULARITIES)
      const batchRows = pin === undefined ? 0 : await read(batchRanges, (q) => pin.range(q))
      const speedRows = await read(speedRanges, (q) => this.speed.range(q))
      return {
        coverage: { watermark, batchVersion: pin?.version ?? 0, batchRows, speedRows },
        values,
      }
    })
  }
}
