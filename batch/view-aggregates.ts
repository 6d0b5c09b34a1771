import type { FilterSet } from '../query-dsl/index.js'
import {
  BATCH_GRANULARITIES,
  GRANULARITIES,
  bucketStart,
  type Granularity,
  type Interaction,
  type View,
} from '../schemas/index.js'

/** The view definitions as partials and versions record them: a change recomputes everything. */
export function viewsSignature(views: readonly View[]): string {
  return views.map((v) => `${v.name}:${v.monoid.name}`).join(',')
}

/** Where one aggregate value belongs: view, stream, bucket and the view's own key. */
export interface AggregateKey {
  readonly view: string
  readonly stream: string
  readonly granularity: Granularity
  readonly bucket: number
  readonly key: string
}

const SEP = '\u0001'

export function aggregateKey(k: AggregateKey): string {
  return [k.view, k.stream, k.granularity, String(k.bucket), k.key].join(SEP)
}

export function parseAggregateKey(text: string): AggregateKey {
  const [view, stream, granularity, bucket, ...rest] = text.split(SEP)
  return {
    view: view ?? '',
    stream: stream ?? '',
    granularity: (granularity ?? 'hour') as Granularity,
    bucket: Number(bucket),
    key: rest.join(SEP),
  }
}

/**
 * Per-view aggregate values keyed by {@link aggregateKey}: what one partition (or one speed
 * flush) contributes, and what merging contributions gives.
 */
export class ViewAggregates {
  readonly values = new Map<string, unknown>()
  private readonly byName: ReadonlyMap<string, View>

  constructor(readonly views: readonly View[]) {
    this.byName = new Map(views.map((v) => [v.name, v]))
  }

  private viewOf(name: string): View {
    const view = this.byName.get(name)
    if (view === undefined) throw new Error(`unknown view ${name}`)
    return view
  }

  /** Merges `value` (now owned by this) into the value under `key`. */
  put(key: string, view: View, value: unknown): void {
    const mine = this.values.get(key)
    this.values.set(key, mine === undefined ? value : view.monoid.merge(mine, value))
  }

  /** Merges `other` into this one; `other` is left as it was (its values are copied). */
  mergeFrom(other: ViewAggregates): void {
    for (const [key, value] of other.values) {
      const view = this.viewOf(key.slice(0, key.indexOf(SEP)))
      const mine = this.values.get(key)
      this.values.set(
        key,
        view.monoid.merge(mine === undefined ? view.monoid.empty() : mine, value),
      )
    }
  }

  get(k: AggregateKey): unknown {
    return this.values.get(aggregateKey(k))
  }
}

/** Per stream, per view (by index), key → value: what one bucket holds. */
type BucketCells = Map<string, Map<string, unknown>[]>

/** One value of a fold: where it belongs and the value (owned by whoever takes it). */
export interface FoldedValue {
  readonly view: View
  readonly stream: string
  readonly bucket: number
  readonly key: string
  readonly value: unknown
}

/**
 * Interactions folded into every view of every stream they match at one granularity: each
 * interaction is matched once against all streams with the shared plan, each view extracts its
 * items once, and the items are folded into the matching streams' values under short keys
 * (nested maps, no key strings built per item). Coarser buckets are merged from these
 * afterwards, so the per-item work does not grow with the granularities.
 */
export class BucketFolds {
  private readonly buckets = new Map<number, BucketCells>()
  private lastBucket = Number.NaN
  private cells: BucketCells = new Map()
  // The items of one interaction, reused: view index, key and item per emit.
  private readonly itemViews: number[] = []
  private readonly itemKeys: string[] = []
  private readonly itemValues: unknown[] = []
  private items = 0
  private viewIndex = 0
  private readonly emit = (key: string, item: unknown): void => {
    this.itemViews[this.items] = this.viewIndex
    this.itemKeys[this.items] = key
    this.itemValues[this.items] = item
    this.items++
  }

  constructor(
    readonly views: readonly View[],
    readonly granularity: Granularity,
  ) {}

  add(interactions: Iterable<Interaction>, streams: FilterSet): void {
    const views = this.views
    for (const interaction of interactions) {
      const createdAt = interaction.interaction?.created_at
      if (createdAt === undefined) continue
      const matches = streams.match(interaction)
      if (matches.length === 0) continue
      const bucket = bucketStart(createdAt, this.granularity)
      if (bucket !== this.lastBucket) {
        let found = this.buckets.get(bucket)
        if (found === undefined) {
          found = new Map()
          this.buckets.set(bucket, found)
        }
        this.cells = found
        this.lastBucket = bucket
      }
      this.items = 0
      for (this.viewIndex = 0; this.viewIndex < views.length; this.viewIndex++)
        (views[this.viewIndex] as View).extract(interaction, this.emit)
      for (const match of matches) {
        let perView = this.cells.get(match.hash)
        if (perView === undefined) {
          perView = views.map(() => new Map<string, unknown>())
          this.cells.set(match.hash, perView)
        }
        for (let i = 0; i < this.items; i++) {
          const v = this.itemViews[i] as number
          const monoid = (views[v] as View).monoid
          const values = perView[v] as Map<string, unknown>
          const key = this.itemKeys[i] as string
          const value = values.get(key)
          const next = monoid.add(value === undefined ? monoid.empty() : value, this.itemValues[i])
          if (next !== value) values.set(key, next)
        }
      }
    }
  }

  /** Every folded value, bucket by bucket; the values are handed over, not copied. */
  *values(): Generator<FoldedValue> {
    for (const [bucket, byStream] of this.buckets)
      for (const [stream, perView] of byStream)
        for (let v = 0; v < perView.length; v++)
          for (const [key, value] of perView[v] as Map<string, unknown>)
            yield { view: this.views[v] as View, stream, bucket, key, value }
  }
}

/**
 * Folds interactions into every view of every stream they match, at every granularity: folded
 * at the finest one (see {@link BucketFolds}), the coarser buckets merged from those.
 */
export function aggregateInteractions(
  interactions: Iterable<Interaction>,
  streams: FilterSet,
  views: readonly View[],
  into: ViewAggregates = new ViewAggregates(views),
  granularities: readonly Granularity[] = BATCH_GRANULARITIES,
): ViewAggregates {
  const ordered = GRANULARITIES.filter((g) => granularities.includes(g))
  const finest = ordered[0]
  if (finest === undefined) return into
  const folds = new BucketFolds(views, finest)
  folds.add(interactions, streams)
  for (const { view, stream, bucket, key, value } of folds.values()) {
    for (const granularity of ordered.slice(1))
      into.put(
        aggregateKey({
          view: view.name,
          stream,
          granularity,
          bucket: bucketStart(bucket, granularity),
          key,
        }),
        view,
        view.monoid.merge(view.monoid.empty(), value),
      )
    into.put(
      aggregateKey({ view: view.name, stream, granularity: finest, bucket, key }),
      view,
      value,
    )
  }
  return into
}
