import type { Interaction } from '../interaction.js'
import type { GeoPoint } from '../targets/target-def.js'
import { decodeHtmlEntities } from '../text/html-entities.js'
import { extractTextEntities } from '../text/text-entities.js'
import { removeSpans, toUtf16Offsets, type TextSpan } from '../text/text-spans.js'
import { domainOf } from '../text/url-normalize.js'
import { interactionId, sampleOf } from './interaction-id.js'
import { arrayAt, toLong, type JsonObject } from './json-value.js'

/*
 * Pieces shared by the three Twitter formats (v1.1, v2, Activity Streams): each maps its own
 * field names onto these inputs, so every format yields the same twitter.* shape.
 */

type TwitterTree = NonNullable<Interaction['twitter']>
export type TwitterUserTree = NonNullable<TwitterTree['user']>
export type TwitterPlaceTree = NonNullable<TwitterTree['place']>

/** A Twitter account as any format describes it. */
export interface TwitterUserInput {
  readonly id: string | undefined
  readonly screenName: string | undefined
  readonly name: string | undefined
  readonly description: string | undefined
  readonly location: string | undefined
  readonly timeZone: string | undefined
  readonly lang: string | undefined
  readonly url: string | undefined
  readonly followers: number | undefined
  readonly friends: number | undefined
  readonly statuses: number | undefined
  readonly listed: number | undefined
  readonly favourites: number | undefined
  readonly verified: boolean | undefined
  readonly createdAt: number | undefined
}

const MS_PER_YEAR = 365.2425 * 24 * 3600 * 1000

/** Builds the `*.user` subtree, deriving follower_ratio and profile_age (whole years at `at`). */
export function buildTwitterUser(u: TwitterUserInput, at: number): TwitterUserTree {
  const ratio =
    u.followers === undefined || u.friends === undefined
      ? undefined
      : u.friends > 0
        ? u.followers / u.friends
        : u.followers
  const age =
    u.createdAt === undefined || at < u.createdAt
      ? undefined
      : Math.floor((at - u.createdAt) / MS_PER_YEAR)
  return {
    id: toLong(u.id),
    screen_name: u.screenName,
    name: u.name,
    description: u.description,
    location: u.location,
    time_zone: u.timeZone,
    lang: u.lang,
    url: u.url,
    followers_count: u.followers,
    friends_count: u.friends,
    statuses_count: u.statuses,
    listed_count: u.listed,
    favourites_count: u.favourites,
    follower_ratio: ratio,
    profile_age: age,
    verified: u.verified === undefined ? undefined : u.verified ? 1 : 0,
    created_at: u.createdAt,
  }
}

const ANCHOR_TEXT = /<a\b[^>]*>([^<]*)<\/a>/i

/**
 * The application name from Twitter's `source`, which is an HTML anchor
 * (`<a href="…" rel="nofollow">Twitter for iPhone</a>`) or a bare word ("web").
 */
export function sourceAppName(source: string | undefined): string | undefined {
  if (source === undefined || source === '') return undefined
  const m = ANCHOR_TEXT.exec(source)
  const name = decodeHtmlEntities(m === null ? source : (m[1] ?? '')).trim()
  return name === '' ? undefined : name
}

/** A point when both coordinates are numbers in range, else undefined. */
export function geoPoint(latitude: unknown, longitude: unknown): GeoPoint | undefined {
  if (typeof latitude !== 'number' || typeof longitude !== 'number') return undefined
  if (!(latitude >= -90 && latitude <= 90 && longitude >= -180 && longitude <= 180))
    return undefined
  return { latitude, longitude }
}

/** One entity as the formats give it: code-point offsets into the HTML-escaped text. */
export interface EntitySpan {
  readonly start: number
  readonly end: number
}

/** The text of one tweet as a format ships it, with its entities. */
export interface TweetTextInput {
  /** Full text exactly as delivered (HTML-escaped by Twitter). */
  readonly text: string
  /** Displayable part in code points; outside it sit reply prefixes and media/quote links. */
  readonly displayRange: readonly [number, number] | undefined
  /** False when the record predates entities (then they are extracted with twitter-text). */
  readonly hasEntities: boolean
  readonly urlSpans: readonly EntitySpan[]
  readonly mentionSpans: readonly EntitySpan[]
  readonly expandedUrls: readonly string[]
  readonly mentions: readonly string[]
  readonly mentionIds: readonly string[]
  readonly hashtags: readonly string[]
}

/** The derived text fields of a tweet. Lists are undefined when empty (absent targets). */
export interface TweetText {
  readonly raw: string
  readonly stripped: string
  readonly links: readonly string[] | undefined
  readonly domains: readonly string[] | undefined
  readonly mentions: readonly string[] | undefined
  readonly mentionIds: readonly bigint[] | undefined
  readonly hashtags: readonly string[] | undefined
}

// Twitter's "read more" link on compatibility-mode truncated tweets points at the tweet itself.
const TRUNCATION_LINK = /^https?:\/\/twitter\.com\/i\/web\/status\//

function nonEmpty<T>(list: readonly T[]): readonly T[] | undefined {
  return list.length === 0 ? undefined : list
}

function unique<T>(list: readonly T[]): readonly T[] {
  return list.length < 2 ? list : [...new Set(list)]
}

/**
 * Derives raw and stripped text, links, mentions and hashtags of a tweet. Stripping removes
 * links, media links and @mentions (csdl.md §3.5) and everything outside `display_text_range`,
 * then decodes HTML entities; offsets are applied before decoding because Twitter counts them
 * on the escaped text.
 */
export function readTweetText(input: TweetTextInput, inReplyTo: string | undefined): TweetText {
  const raw = decodeHtmlEntities(input.text)
  if (!input.hasEntities) return extractedTweetText(raw, inReplyTo)

  const offsets: number[] = []
  for (const s of input.urlSpans) offsets.push(s.start, s.end)
  for (const s of input.mentionSpans) offsets.push(s.start, s.end)
  const range = input.displayRange
  if (range !== undefined) offsets.push(range[0], range[1])
  const units = toUtf16Offsets(input.text, offsets)
  const spans: TextSpan[] = []
  for (let i = 0; i + 1 < units.length; i += 2)
    spans.push({ start: units[i] ?? 0, end: units[i + 1] ?? 0 })
  if (range !== undefined) {
    const display = spans.pop()
    if (display !== undefined) {
      spans.push({ start: 0, end: display.start }, { start: display.end, end: input.text.length })
    }
  }
  const stripped = decodeHtmlEntities(removeSpans(input.text, spans))

  const links = unique(input.expandedUrls.filter((u) => !TRUNCATION_LINK.test(u)))
  const mentions = [...input.mentions]
  if (inReplyTo !== undefined && !mentions.some((m) => m.toLowerCase() === inReplyTo.toLowerCase()))
    mentions.push(inReplyTo)
  const ids: bigint[] = []
  for (const id of input.mentionIds) {
    const n = toLong(id)
    if (n !== undefined) ids.push(n)
  }
  return {
    raw,
    stripped,
    links: nonEmpty(links),
    domains: nonEmpty(unique(links.map(domainOf).filter((d): d is string => d !== undefined))),
    mentions: nonEmpty(unique(mentions)),
    mentionIds: nonEmpty(unique(ids)),
    hashtags: nonEmpty(unique(input.hashtags)),
  }
}

function extractedTweetText(raw: string, inReplyTo: string | undefined): TweetText {
  const found = extractTextEntities(raw)
  const spans: TextSpan[] = [...found.urls, ...found.mentions]
  const links = unique(found.urls.map((u) => u.url))
  const mentions = found.mentions.map((m) => m.username)
  if (inReplyTo !== undefined && !mentions.includes(inReplyTo)) mentions.push(inReplyTo)
  return {
    raw,
    stripped: removeSpans(raw, spans),
    links: nonEmpty(links),
    domains: nonEmpty(unique(links.map(domainOf).filter((d): d is string => d !== undefined))),
    mentions: nonEmpty(unique(mentions)),
    mentionIds: undefined,
    hashtags: nonEmpty(unique(found.hashtags.map((h) => h.tag))),
  }
}

/** The public permalink of a tweet. */
export function tweetLink(screenName: string | undefined, id: string): string {
  return `https://twitter.com/${screenName ?? 'i/web'}/status/${id}`
}

export type QuotedTree = NonNullable<TwitterTree['quoted']>

/** Attached media: types and URLs, undefined when none. */
export interface TweetMedia {
  readonly type: readonly string[] | undefined
  readonly url: readonly string[] | undefined
}

/** The original tweet of a retweet, as far as the format tells. */
export interface RetweetedParts {
  readonly id: string
  readonly createdAt: number | undefined
  readonly source: string | undefined
  readonly place: TwitterPlaceTree | undefined
  readonly user: TwitterUserTree | undefined
  /** Retweets of the original when the record was fetched. */
  readonly count: number | undefined
}

/**
 * One tweet as any of the three formats describes it, already in Sluice's vocabulary. For a
 * retweet, `text` and `media` are the original's and `author`/`source`/`lang` the retweet's.
 */
export interface TweetParts {
  readonly id: string
  readonly createdAt: number
  readonly author: TwitterUserTree | undefined
  readonly avatar: string | undefined
  readonly source: string | undefined
  readonly lang: string | undefined
  readonly geo: GeoPoint | undefined
  readonly place: TwitterPlaceTree | undefined
  readonly text: TweetText
  readonly media: TweetMedia
  readonly quoted: QuotedTree | undefined
  readonly isQuote: boolean
  readonly reply:
    | {
        readonly statusId: string | undefined
        readonly screenName: string | undefined
        readonly userId: bigint | undefined
      }
    | undefined
  readonly retweeted: RetweetedParts | undefined
}

/**
 * The interaction of a tweet: the one place that decides the twitter.* layout, so v1.1, v2 and
 * Activity Streams cannot drift apart. As on DataSift, a retweet's text and poster go under
 * twitter.retweet.* and the original under twitter.retweeted.*, leaving twitter.text and
 * twitter.user absent.
 */
export function buildTweetInteraction(p: TweetParts): Interaction {
  const iid = interactionId('twitter', p.id)
  const screenName = p.author?.screen_name
  const { text } = p
  const rt = p.retweeted
  const subtype =
    rt !== undefined
      ? 'retweet'
      : p.reply?.statusId !== undefined
        ? 'reply'
        : p.isQuote
          ? 'quote'
          : 'tweet'
  const tweetText = {
    text: text.stripped,
    source: p.source,
    lang: p.lang,
    links: text.links,
    domains: text.domains,
    mentions: text.mentions,
    mention_ids: text.mentionIds,
    hashtags: text.hashtags,
  }
  return {
    interaction: {
      id: iid,
      type: 'twitter',
      subtype,
      created_at: p.createdAt,
      content: text.stripped,
      raw_content: text.raw,
      author: {
        id: p.author?.id,
        username: screenName,
        name: p.author?.name,
        link: screenName === undefined ? undefined : `https://twitter.com/${screenName}`,
        avatar: p.avatar,
      },
      source: p.source,
      link: tweetLink(screenName, p.id),
      geo: p.geo,
      sample: sampleOf(iid),
      hashtags: text.hashtags,
      mentions: text.mentions,
    },
    twitter:
      rt === undefined
        ? {
            id: p.id,
            created_at: p.createdAt,
            ...tweetText,
            geo: p.geo,
            in_reply_to_screen_name: p.reply?.screenName,
            in_reply_to_status_id: p.reply?.statusId,
            in_reply_to_user_id: p.reply?.userId,
            media: p.media,
            user: p.author,
            place: p.place,
            quoted: p.quoted,
          }
        : {
            id: p.id,
            created_at: p.createdAt,
            geo: p.geo,
            place: p.place,
            media: p.media,
            retweet: {
              id: p.id,
              ...tweetText,
              count: rt.count,
              elapsed:
                rt.createdAt === undefined
                  ? undefined
                  : Math.max(0, Math.round((p.createdAt - rt.createdAt) / 1000)),
              user: p.author,
            },
            retweeted: {
              id: rt.id,
              created_at: rt.createdAt,
              source: rt.source,
              place: rt.place,
              user: rt.user,
            },
            quoted: p.quoted,
          },
    links: { url: text.links },
  }
}

/** Entity spans given as `indices: [start, end]` (v1.1 and Activity Streams). */
export function indexedSpans(list: readonly JsonObject[]): EntitySpan[] {
  const out: EntitySpan[] = []
  for (const e of list) {
    const ix = arrayAt(e, 'indices')
    const start = ix?.[0]
    const end = ix?.[1]
    if (typeof start === 'number' && typeof end === 'number') out.push({ start, end })
  }
  return out
}
