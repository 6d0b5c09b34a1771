import type { Interaction } from '../interaction.js'
import { AUTHOR_INFLUENCE, DOMAIN_INFLUENCE, type AuthorInfluence } from './influence.js'
import { hash32, UNIQUES } from './hyperloglog.js'
import { keyedValues } from './keyed-monoid.js'
import { COUNT, type Monoid } from './monoid.js'
import { DEFAULT_TOP_CAPACITY, topValues } from './top-values.js'

/**
 * A view, defined once for batch and speed: `extract` turns one interaction (already matched to
 * a stream) into (key, item) pairs, and the monoid folds items into values per (stream, key,
 * time bucket) and merges values across partitions, buckets and layers. `targets` are the
 * columns `extract` reads, so a batch job reads only those from the master dataset.
 */
export interface ViewDefinition<V, I> {
  readonly name: string
  readonly targets: readonly string[]
  readonly monoid: Monoid<V, I>
  extract(interaction: Interaction, emit: (key: string, item: I) => void): void
}

/** A view with its value types erased, as layers hold a list of them. */
export interface View {
  readonly name: string
  readonly targets: readonly string[]
  readonly monoid: Monoid<unknown, unknown>
  extract(interaction: Interaction, emit: (key: string, item: unknown) => void): void
}

function view<V, I>(definition: ViewDefinition<V, I>): View {
  // Erasure is safe: a view only ever meets the items its own extract emits and its own values.
  return definition
}

/** The dimensions volume is broken down by, each read from the interaction. */
export const VOLUME_DIMENSIONS = {
  type: (i: Interaction) => i.interaction?.type,
  language: (i: Interaction) => i.language?.tag,
  country: (i: Interaction) =>
    i.twitter?.place?.country_code ?? i.foursquare?.venue?.country_code ?? undefined,
  sentiment: (i: Interaction) => {
    const s = i.salience?.content?.sentiment
    if (s === undefined) return undefined
    return s > 0 ? 'positive' : s < 0 ? 'negative' : 'neutral'
  },
  gender: (i: Interaction) => i.demographic?.gender,
  source: (i: Interaction) => i.interaction?.source,
} as const satisfies Record<string, (i: Interaction) => string | undefined>
export type VolumeDimension = keyof typeof VOLUME_DIMENSIONS
const VOLUME_READERS = Object.entries(VOLUME_DIMENSIONS)

/** The lists top values are kept for. */
export const TOP_DIMENSIONS = {
  hashtags: (i: Interaction) => i.interaction?.hashtags,
  mentions: (i: Interaction) => i.interaction?.mentions,
  domains: (i: Interaction) => i.links?.domain,
  authors: (i: Interaction) => {
    const a = i.interaction?.author?.username
    return a === undefined ? undefined : [a]
  },
} as const satisfies Record<string, (i: Interaction) => readonly string[] | undefined>
export type TopDimension = keyof typeof TOP_DIMENSIONS
const TOP_READERS = Object.entries(TOP_DIMENSIONS)

function authorOf(i: Interaction): string | undefined {
  const username = i.interaction?.author?.username
  if (username !== undefined) return username
  const id = i.interaction?.author?.id
  return id === undefined ? undefined : String(id)
}

/** Key of a dimension value in `volume_by` (dimension and value cannot contain each other). */
export function dimensionKey(dimension: string, value: string): string {
  return `${dimension}\u0000${value}`
}

export const VOLUME = view({
  name: 'volume',
  targets: [],
  monoid: COUNT,
  extract: (_i, emit) => emit('', 1),
})

export const VOLUME_BY = view({
  name: 'volume_by',
  targets: [
    'interaction.type',
    'language.tag',
    'twitter.place.country_code',
    'foursquare.venue.country_code',
    'salience.content.sentiment',
    'demographic.gender',
    'interaction.source',
  ],
  monoid: COUNT,
  extract: (i, emit) => {
    for (const [dimension, read] of VOLUME_READERS) {
      const value = read(i)
      if (value !== undefined) emit(dimensionKey(dimension, value), 1)
    }
  },
})

export const UNIQUE_AUTHORS = view({
  name: 'unique_authors',
  targets: ['interaction.author.username', 'interaction.author.id'],
  monoid: UNIQUES,
  extract: (i, emit) => {
    const author = authorOf(i)
    if (author !== undefined) emit('', hash32(author))
  },
})

/** The top-values view, keeping `capacity` counters per (stream, dimension, bucket). */
export function topView(capacity: number = DEFAULT_TOP_CAPACITY): View {
  return view({
    name: 'top',
    targets: [
      'interaction.hashtags',
      'interaction.mentions',
      'links.domain',
      'interaction.author.username',
    ],
    monoid: topValues(capacity),
    extract: (i, emit) => {
      for (const [dimension, read] of TOP_READERS)
        for (const value of read(i) ?? []) emit(dimension, value)
    },
  })
}

export const TOP = topView()

const credit = (
  interactions: number,
  retweetsReceived: number,
  repliesReceived: number,
  reach: number,
): AuthorInfluence => ({ interactions, retweetsReceived, repliesReceived, reach })

/** Per bucket, one map of every author credited: interactions, retweets and replies received, reach. */
export const AUTHOR_INFLUENCE_VIEW = view({
  name: 'author_influence',
  targets: [
    'interaction.author.username',
    'interaction.author.id',
    'twitter.user.followers_count',
    'twitter.retweeted.user.screen_name',
    'twitter.in_reply_to_screen_name',
  ],
  monoid: keyedValues(
    AUTHOR_INFLUENCE,
    (a) => a.interactions + a.retweetsReceived + a.repliesReceived,
  ),
  extract: (i, emit) => {
    const author = authorOf(i)
    if (author !== undefined)
      emit('', [author, credit(1, 0, 0, i.twitter?.user?.followers_count ?? 0)])
    const retweeted = i.twitter?.retweeted?.user?.screen_name
    if (retweeted !== undefined) emit('', [retweeted, credit(0, 1, 0, 0)])
    const repliedTo = i.twitter?.in_reply_to_screen_name
    if (repliedTo !== undefined) emit('', [repliedTo, credit(0, 0, 1, 0)])
  },
})

/** Per bucket, one map of every link domain shared: links and distinct sharers. */
export const DOMAIN_INFLUENCE_VIEW = view({
  name: 'domain_influence',
  targets: ['links.domain', 'interaction.author.username', 'interaction.author.id'],
  monoid: keyedValues(DOMAIN_INFLUENCE, (d) => d.links),
  extract: (i, emit) => {
    const author = authorOf(i)
    const domains = i.links?.domain
    if (author === undefined || domains === undefined) return
    const sharer = hash32(author)
    // Once per domain however many of its links the interaction has (lists are short).
    for (let d = 0; d < domains.length; d++)
      if (domains.indexOf(domains[d] as string) === d) emit('', [domains[d] as string, sharer])
  },
})

/** Every view the batch and speed layers maintain, per stream. */
export const VIEWS: readonly View[] = [
  VOLUME,
  VOLUME_BY,
  UNIQUE_AUTHORS,
  TOP,
  AUTHOR_INFLUENCE_VIEW,
  DOMAIN_INFLUENCE_VIEW,
]

/** The columns of the master dataset the views read (plus what the streams' filters read). */
export function viewTargets(views: readonly View[] = VIEWS): string[] {
  return [...new Set(views.flatMap((v) => v.targets))].sort()
}
