/*
 * A realistic mix of CSDL filters built from the vocabulary of real interactions: keyword lists
 * from mid-frequency words (the kind of terms customers track), author lists from real screen
 * names, languages, follower ranges, regexes, geo boxes and polygons around real places, link
 * domains, hashtags, nested AND/OR/NOT and stream references. Seeded, so every run of the
 * benchmark and the property tests sees the same filters.
 */
import { tokenize, DEFAULT_TOKENIZER } from '../query-dsl/index.js'
import type { GeoPoint, Interaction } from '../schemas/index.js'

/** Mulberry32: a tiny, well-distributed seeded PRNG. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** What filters are written from: words and names that occur in the data. */
export interface Vocabulary {
  /**
   * Words in 0.004%–0.05% of interactions (2 to 25 of the 49,536 sample tweets): as rare as
   * the brand and topic names customers track, still common enough that filters match.
   */
  readonly words: readonly string[]
  /** Adjacent word pairs of the same band. */
  readonly phrases: readonly string[]
  readonly screenNames: readonly string[]
  readonly hashtags: readonly string[]
  readonly domains: readonly string[]
  readonly languages: readonly string[]
  readonly places: readonly GeoPoint[]
}

const WORD = /^[a-z][a-z']{2,}$/

/** Builds the vocabulary of a set of interactions. */
export function vocabularyFrom(interactions: readonly Interaction[]): Vocabulary {
  const df = new Map<string, number>()
  const pairs = new Map<string, number>()
  const names = new Set<string>()
  const hashtags = new Map<string, number>()
  const domains = new Map<string, number>()
  const languages = new Map<string, number>()
  const places: GeoPoint[] = []
  for (const i of interactions) {
    const text = i.interaction?.content ?? ''
    const tokens = tokenize(text, DEFAULT_TOKENIZER)
    const seen = new Set<string>()
    for (let k = 0; k < tokens.length; k++) {
      const t = tokens[k] ?? ''
      if (!WORD.test(t)) continue
      if (!seen.has(t)) {
        seen.add(t)
        df.set(t, (df.get(t) ?? 0) + 1)
      }
      const next = tokens[k + 1]
      if (next !== undefined && WORD.test(next))
        pairs.set(`${t} ${next}`, (pairs.get(`${t} ${next}`) ?? 0) + 1)
    }
    const name = i.interaction?.author?.username
    if (name !== undefined) names.add(name)
    for (const h of i.interaction?.hashtags ?? [])
      hashtags.set(h.toLowerCase(), (hashtags.get(h.toLowerCase()) ?? 0) + 1)
    for (const d of i.links?.domain ?? []) domains.set(d, (domains.get(d) ?? 0) + 1)
    const lang = i.language?.tag
    if (lang !== undefined) languages.set(lang, (languages.get(lang) ?? 0) + 1)
    if (i.interaction?.geo !== undefined) places.push(i.interaction.geo)
  }
  const n = Math.max(1, interactions.length)
  const band = (m: Map<string, number>, lo: number, hi: number): string[] =>
    [...m]
      .filter(([, c]) => c / n >= lo && c / n <= hi)
      .map(([w]) => w)
      .sort()
  return {
    words: band(df, 0.00004, 0.0005),
    phrases: band(pairs, 0.00004, 0.0003),
    screenNames: [...names].sort(),
    hashtags: band(hashtags, 0.00004, 0.001),
    domains: band(domains, 0.00004, 0.001),
    languages: [...languages]
      .sort((a, b) => b[1] - a[1])
      .map(([l]) => l)
      .slice(0, 20),
    places,
  }
}

interface Draw {
  (): number
  int(lo: number, hi: number): number
  pick<T>(xs: readonly T[]): T
  some<T>(xs: readonly T[], lo: number, hi: number): T[]
}

function draw(seed: number): Draw {
  const r = seededRandom(seed)
  const d = (() => r()) as Draw
  d.int = (lo, hi) => lo + Math.floor(r() * (hi - lo + 1))
  d.pick = <T>(xs: readonly T[]): T => {
    const x = xs[Math.floor(r() * xs.length)]
    if (x === undefined) throw new Error('empty vocabulary')
    return x
  }
  d.some = <T>(xs: readonly T[], lo: number, hi: number): T[] => {
    const k = Math.min(xs.length, d.int(lo, hi))
    const out = new Set<T>()
    while (out.size < k) out.add(d.pick(xs))
    return [...out]
  }
  return d
}

function quote(items: readonly string[]): string {
  return `"${items.map((i) => i.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/,/g, '\\,')).join(', ')}"`
}

function box(d: Draw, places: readonly GeoPoint[]): string {
  const c = d.pick(places)
  const h = d.int(1, 30) / 10
  const lat = (x: number): number => Math.max(-90, Math.min(90, x))
  const lon = (x: number): number => Math.max(-180, Math.min(180, x))
  return `"${lat(c.latitude + h).toFixed(4)},${lon(c.longitude - h).toFixed(4)}:${lat(c.latitude - h).toFixed(4)},${lon(c.longitude + h).toFixed(4)}"`
}

function polygon(d: Draw, places: readonly GeoPoint[]): string {
  const c = d.pick(places)
  const n = d.int(3, 8)
  const r = d.int(5, 40) / 10
  const pts: string[] = []
  for (let k = 0; k < n; k++) {
    const a = (2 * Math.PI * k) / n
    const rr = r * (0.6 + 0.4 * d())
    pts.push(
      `${Math.max(-89.9, Math.min(89.9, c.latitude + rr * Math.sin(a))).toFixed(4)},${Math.max(-179.9, Math.min(179.9, c.longitude + rr * Math.cos(a))).toFixed(4)}`,
    )
  }
  return `"${pts.join(':')}"`
}

/**
 * Generates `count` filters over the vocabulary. With `references`, some filters refer to
 * earlier ones by hash (the caller compiles in order and passes the hash function).
 */
export function generateFilters(
  v: Vocabulary,
  count: number,
  seed: number,
  hashOf?: (source: string) => string,
): string[] {
  const d = draw(seed)
  const keywords = (lo: number, hi: number): string =>
    quote([
      ...d.some(v.words, lo, hi),
      ...(v.phrases.length > 0 && d() < 0.5 ? d.some(v.phrases, 1, 3) : []),
    ])
  const langs = (): string => quote(d.some(v.languages.slice(0, 8), 1, 3))
  const out: string[] = []
  while (out.length < count) {
    const roll = d()
    let f: string
    if (roll < 0.3) {
      f = `interaction.content contains_any ${keywords(2, 12)}`
      if (d() < 0.5) f += ` and language.tag in ${langs()}`
    } else if (roll < 0.42)
      f = `${d.pick(['twitter.user.screen_name', 'interaction.author.username'])} in ${quote(d.some(v.screenNames, 5, 200))}`
    else if (roll < 0.5)
      f = `interaction.content contains_any ${keywords(2, 10)} and twitter.user.followers_count >= ${d.pick([100, 500, 1000, 5000, 50000])}`
    else if (roll < 0.55) {
      const w = d.pick(v.words)
      f = `interaction.content contains "${w}" and interaction.content regex_partial "(?i)${w}\\\\w*\\\\s+\\\\w+"`
    } else if (roll < 0.59 && v.places.length > 0) f = `interaction.geo geo_box ${box(d, v.places)}`
    else if (roll < 0.62 && v.places.length > 0)
      f = `interaction.geo geo_polygon ${polygon(d, v.places)} and twitter.user.followers_count < ${d.pick([1000, 10000])}`
    else if (roll < 0.72)
      f = `(interaction.content contains_any ${keywords(2, 6)} or interaction.hashtags in ${quote(d.some(v.hashtags, 1, 3))}) and not interaction.content contains_any ${keywords(1, 4)}`
    else if (roll < 0.82)
      f = `interaction.hashtags in ${quote(d.some(v.hashtags, 1, 4))} and interaction.content contains_any ${keywords(1, 6)}`
    else if (roll < 0.87 && v.domains.length > 0)
      f = `links.domain in ${quote(d.some(v.domains, 1, 6))}`
    else if (roll < 0.92)
      f = `interaction.content contains_all ${keywords(2, 3)} or interaction.content contains "${d.pick(v.words)}"`
    else if (roll < 0.95 && hashOf !== undefined && out.length > 0)
      f = `stream "${hashOf(d.pick(out))}" and language.tag in ${langs()}`
    else
      f = `interaction.content contains_near "${d.pick(v.words)},${d.pick(v.words)}:${d.int(2, 8)}" or twitter.user.screen_name == "${d.pick(v.screenNames)}"`
    out.push(f)
  }
  return out
}
