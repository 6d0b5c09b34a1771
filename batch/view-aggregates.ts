import type { FilterSet } from '../query-dsl/index.js'
import {
  BATCH_GRANULARITIES,
  bucketStart,
  type Granularity,
  type Interaction,
  type View,
} from '../schemas/index.js'

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

  add(key: string, view: View, item: unknown): void {
    const value = this.values.get(key)
    this.values.set(key, view.monoid.add(value ?? view.monoid.empty(), item))
  }

  /**
   * Merges `other` into this one. By default `other` is left as it was (its values are copied);
   * with `adopt`, its values are taken over as they are, for a partial nobody else holds.
   */
  mergeFrom(other: ViewAggregates, options: { readonly adopt?: boolean } = {}): void {
    for (const [key, value] of other.values) {
      const view = this.viewOf(key.slice(0, key.indexOf(SEP)))
      const mine = this.values.get(key)
      if (mine !== undefined) this.values.set(key, view.monoid.merge(mine, value))
      else
        this.values.set(
          key,
          options.adopt === true ? value : view.monoid.decode(view.monoid.encode(value)),
        )
    }
  }

  get(k: AggregateKey): unknown {
    return this.values.get(aggregateKey(k))
  }
}

/**
 * Folds interactions into every view of every stream they match, at every granularity: each
 * interaction is matched once against all streams with the shared plan, each view extracts its
 * items once, and the items go to each matching stream's buckets.
 */
export function aggregateInteractions(
  interactions: Iterable<Interaction>,
  streams: FilterSet,
  views: readonly View[],
  into: ViewAggregates = new ViewAggregates(views),
  granularities: readonly Granularity[] = BATCH_GRANULARITIES,
): ViewAggregates {
  const items: { view: View; key: string; item: unknown }[] = []
  for (const interaction of interactions) {
    const createdAt = interaction.interaction?.created_at
    if (createdAt === undefined) continue
    const matches = streams.match(interaction)
    if (matches.length === 0) continue
    items.length = 0
    for (const view of views)
      view.extract(interaction, (key, item) => items.push({ view, key, item }))
    for (const granularity of granularities) {
      const bucket = bucketStart(createdAt, granularity)
      for (const match of matches)
        for (const { view, key, item } of items)
          into.add(
            aggregateKey({ view: view.name, stream: match.hash, granularity, bucket, key }),
            view,
            item,
          )
    }
  }
  return into
}
