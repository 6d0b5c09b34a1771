import { fieldsOf, type InteractionFields, type InteractionJson } from './interaction-fields.js'

/** One preview batch as the `preview` subscription sends it. */
export interface PreviewBatch {
  readonly seen: number
  readonly matched: number
  readonly interactions: readonly InteractionJson[]
}

/** Running figures of a preview, rebuilt immutably on each batch so views re-render. */
export interface PreviewStats {
  readonly seen: number
  readonly matched: number
  /** Matches per second received, oldest first (the last {@link VOLUME_SECONDS}). */
  readonly volume: readonly { readonly second: number; readonly count: number }[]
  readonly languages: ReadonlyMap<string, number>
  readonly sentiment: ReadonlyMap<'positive' | 'neutral' | 'negative', number>
  readonly genders: ReadonlyMap<string, number>
  readonly hashtags: ReadonlyMap<string, number>
  /** The newest matches first (at most {@link RECENT_KEPT}). */
  readonly recent: readonly InteractionFields[]
  /** Geo-tagged matches (at most {@link POINTS_KEPT}, newest last). */
  readonly points: readonly { readonly latitude: number; readonly longitude: number }[]
}

export const VOLUME_SECONDS = 120
export const RECENT_KEPT = 100
export const POINTS_KEPT = 2000

export const EMPTY_PREVIEW: PreviewStats = {
  seen: 0,
  matched: 0,
  volume: [],
  languages: new Map(),
  sentiment: new Map(),
  genders: new Map(),
  hashtags: new Map(),
  recent: [],
  points: [],
}

function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1)
}

const sentimentOf = (s: number): 'positive' | 'neutral' | 'negative' =>
  s > 0 ? 'positive' : s < 0 ? 'negative' : 'neutral'

/** The stats after one more batch, received at `now` (ms). */
export function addBatch(stats: PreviewStats, batch: PreviewBatch, now: number): PreviewStats {
  const second = Math.floor(now / 1000)
  const languages = new Map(stats.languages)
  const sentiment = new Map(stats.sentiment)
  const genders = new Map(stats.genders)
  const hashtags = new Map(stats.hashtags)
  const fresh: InteractionFields[] = []
  const points = [...stats.points]
  for (const json of batch.interactions) {
    const f = fieldsOf(json)
    fresh.push(f)
    bump(languages, f.language ?? 'unknown')
    if (f.sentiment !== undefined) bump(sentiment, sentimentOf(f.sentiment))
    bump(genders, f.gender ?? 'unknown')
    for (const h of f.hashtags) bump(hashtags, h.toLowerCase())
    if (f.geo !== undefined) points.push(f.geo)
  }
  // The batch says how many matched since the last one; it carries a sample of them at most.
  const newMatches = batch.matched - stats.matched
  const volume = stats.volume.filter((v) => v.second > second - VOLUME_SECONDS)
  const last = volume[volume.length - 1]
  if (last !== undefined && last.second === second)
    volume[volume.length - 1] = { second, count: last.count + newMatches }
  else volume.push({ second, count: newMatches })
  return {
    seen: batch.seen,
    matched: batch.matched,
    volume,
    languages,
    sentiment,
    genders,
    hashtags,
    recent: [...fresh.reverse(), ...stats.recent].slice(0, RECENT_KEPT),
    points: points.slice(-POINTS_KEPT),
  }
}

/** The `k` largest entries of a count map, largest first. */
export function topEntries(map: ReadonlyMap<string, number>, k: number): [string, number][] {
  return [...map.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, k)
}
