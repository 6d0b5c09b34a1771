import type { FilterMatch, FilterSet } from '../query-dsl/index.js'
import { hash32, type Interaction, type View } from '../schemas/index.js'

/** One interaction as a route needs it: its id, time, matching streams and extracted items. */
export interface RoutedInteraction {
  readonly id: string
  readonly at: number
  readonly streams: readonly string[]
  /** (index of the view, view key, item) as the views' extract emitted them. */
  readonly items: readonly (readonly [number, string, unknown])[]
}

/** What one hand-off job brings to one route. */
export interface RouteBatch {
  readonly job: string
  readonly route: number
  readonly interactions: readonly RoutedInteraction[]
}

/** The route of an interaction: by its id, so a duplicate always meets its first copy. */
export function routeOf(id: string, routes: number): number {
  return hash32(id) % routes
}

/**
 * Matches each interaction against every stream at once, extracts its view items once, and
 * groups the matching ones by route. Items are plain data, so a batch can cross a queue.
 */
export function routeBatches(
  job: string,
  interactions: Iterable<Interaction>,
  streams: FilterSet,
  views: readonly View[],
  routes: number,
  onMatched?: (interaction: Interaction, matches: readonly FilterMatch[]) => void,
): RouteBatch[] {
  const byRoute = new Map<number, RoutedInteraction[]>()
  // One emit for every view and interaction (no closure per interaction).
  let items: [number, string, unknown][] = []
  let viewIndex = 0
  const emit = (key: string, item: unknown): void => {
    items.push([viewIndex, key, item])
  }
  for (const interaction of interactions) {
    const id = interaction.interaction?.id
    const at = interaction.interaction?.created_at
    if (id === undefined || at === undefined) continue
    const matches = streams.match(interaction)
    if (matches.length === 0) continue
    items = []
    for (viewIndex = 0; viewIndex < views.length; viewIndex++)
      (views[viewIndex] as View).extract(interaction, emit)
    const hashes = matches.map((m) => m.hash)
    onMatched?.(interaction, matches)
    const route = routeOf(id, routes)
    let list = byRoute.get(route)
    if (list === undefined) {
      list = []
      byRoute.set(route, list)
    }
    list.push({ id, at, streams: hashes, items })
  }
  return [...byRoute].map(([route, list]) => ({ job, route, interactions: list }))
}
