import { SeededRandom } from './seeded-random.js'
import {
  CLIENTS,
  DOMAINS,
  FIRST_NAMES,
  HASHTAGS,
  PLACES,
  SUBREDDITS,
  WORDS,
} from './synthetic-vocabulary.js'

export const SYNTHETIC_SOURCES = ['twitter-v1', 'reddit'] as const
export type SyntheticSource = (typeof SYNTHETIC_SOURCES)[number]

export interface SyntheticOptions {
  readonly seed?: number
  readonly sources?: readonly SyntheticSource[]
  /** Share of records that repeat a recent one (an overlapping connection). */
  readonly duplicateRate?: number
  /** Share of lines that are broken (truncated JSON, a stray keep-alive, garbage). */
  readonly malformedRate?: number
  readonly authors?: number
  readonly now?: () => number
}

/** One generated line and the source format it claims to be. */
export interface SyntheticLine {
  readonly source: SyntheticSource
  readonly line: string
  readonly kind: 'record' | 'duplicate' | 'malformed'
}

/** Twitter v1.1's `created_at`: "Thu Jan 30 18:07:29 +0000 2020". */
function twitterDate(ms: number): string {
  // toUTCString: "Thu, 30 Jan 2020 18:07:29 GMT"
  const [day, date, mon, year, time] = new Date(ms).toUTCString().replace(',', '').split(' ')
  return `${day ?? ''} ${mon ?? ''} ${date ?? ''} ${time ?? ''} +0000 ${year ?? ''}`
}

// Twitter snowflake ids: milliseconds since this epoch, shifted past 22 bits of worker/sequence.
const TWITTER_EPOCH = 1288834974657n
const RECENT = 64
const ID_PLACEHOLDER = '\u0000id\u0000'
const ID_PLACEHOLDER_JSON = JSON.stringify(ID_PLACEHOLDER)

/** JSON of a tweet object with its numeric `id` written as the exact digits of `id_str`. */
function tweetJson(tweet: Record<string, unknown>): string {
  const nested = tweet['retweeted_status'] as Record<string, unknown> | undefined
  let json = JSON.stringify(tweet)
  json = json.replace(ID_PLACEHOLDER_JSON, String(tweet['id_str']))
  if (nested !== undefined) json = json.replace(ID_PLACEHOLDER_JSON, String(nested['id_str']))
  return json
}

/**
 * A seeded firehose of realistic records in real source formats (Twitter API v1.1 statuses,
 * Reddit API comments): authors drawn with a skew, text with hashtags, mentions and links,
 * some geo-tagged, some retweets and replies; with a chosen share of duplicates and malformed
 * lines. The same seed and clock give the same lines.
 */
export class SyntheticFirehose {
  private readonly random: SeededRandom
  private readonly sources: readonly SyntheticSource[]
  private readonly recent: SyntheticLine[] = []
  private sequence = 0
  private readonly now: () => number

  constructor(private readonly options: SyntheticOptions = {}) {
    this.random = new SeededRandom(options.seed ?? 1)
    this.sources = options.sources ?? SYNTHETIC_SOURCES
    this.now = options.now ?? Date.now
  }

  next(): SyntheticLine {
    const r = this.random
    if (r.chance(this.options.malformedRate ?? 0)) return this.malformed()
    if (this.recent.length > 0 && r.chance(this.options.duplicateRate ?? 0)) {
      const again = r.pick(this.recent)
      return { ...again, kind: 'duplicate' }
    }
    const source = r.pick(this.sources)
    const line = source === 'twitter-v1' ? this.tweet() : this.redditComment()
    const out: SyntheticLine = { source, line, kind: 'record' }
    if (this.recent.length < RECENT) this.recent.push(out)
    else this.recent[r.int(RECENT)] = out
    return out
  }

  private malformed(): SyntheticLine {
    const r = this.random
    const source = r.pick(this.sources)
    const whole = source === 'twitter-v1' ? this.tweet() : this.redditComment()
    const line = r.pick([
      whole.slice(0, Math.max(1, r.int(whole.length - 1))),
      'Exceeded connection limit for user',
      `{"limit":{"track":${r.int(1000)}}`,
      '\u0000\u0001garbage',
    ])
    return { source, line, kind: 'malformed' }
  }

  private words(n: number): string {
    const out: string[] = []
    for (let i = 0; i < n; i++) out.push(this.random.pick(WORDS))
    return out.join(' ')
  }

  private author(): { id: number; name: string; screen: string } {
    const n = this.options.authors ?? 50_000
    const id = this.random.skewed(n) + 1000
    const first = FIRST_NAMES[id % FIRST_NAMES.length] ?? 'Sam'
    return {
      id,
      name: `${first} ${String.fromCharCode(65 + (id % 26))}.`,
      screen: `${first.toLowerCase()}_${id}`,
    }
  }

  private snowflake(ms: number): string {
    return ((BigInt(ms) - TWITTER_EPOCH) * 4194304n + BigInt(this.sequence++ % 4194304)).toString()
  }

  private tweetObject(ms: number): Record<string, unknown> {
    const r = this.random
    const user = this.author()
    const parts: string[] = [this.words(3 + r.int(12))]
    const hashtags: unknown[] = []
    const mentions: unknown[] = []
    const urls: unknown[] = []
    let text = parts.join(' ')
    const indices = (add: string): number[] => {
      const start = [...text].length + 1
      text = `${text} ${add}`
      return [start, start + [...add].length]
    }
    if (r.chance(0.35)) {
      const tag = r.pick(HASHTAGS)
      hashtags.push({ text: tag, indices: indices(`#${tag}`) })
    }
    if (r.chance(0.25)) {
      const m = this.author()
      mentions.push({
        screen_name: m.screen,
        name: m.name,
        id: m.id,
        id_str: String(m.id),
        indices: indices(`@${m.screen}`),
      })
    }
    if (r.chance(0.2)) {
      const domain = r.pick(DOMAINS)
      const path = this.words(2).replaceAll(' ', '-')
      const short = `https://t.co/${this.sequence.toString(36).padStart(10, 'x')}`
      urls.push({
        url: short,
        expanded_url: `https://${domain}/${path}`,
        display_url: `${domain}/${path}`,
        indices: indices(short),
      })
    }
    const place = r.chance(0.1) ? r.pick(PLACES) : undefined
    const id = this.snowflake(ms)
    return {
      created_at: twitterDate(ms),
      // A placeholder the caller swaps for the bare digits: a JS number cannot hold a snowflake.
      id: ID_PLACEHOLDER,
      id_str: id,
      text,
      source: r.pick(CLIENTS),
      truncated: false,
      in_reply_to_status_id: null,
      in_reply_to_status_id_str: null,
      in_reply_to_user_id: null,
      in_reply_to_screen_name: null,
      user: {
        id: user.id,
        id_str: String(user.id),
        name: user.name,
        screen_name: user.screen,
        location: place === undefined ? null : place[0],
        description: this.words(6),
        followers_count: (user.id * 7919) % 100_000,
        friends_count: (user.id * 104729) % 5000,
        statuses_count: (user.id * 31) % 50_000,
        created_at: twitterDate(1_300_000_000_000 + user.id * 86_400),
        verified: user.id % 97 === 0,
        lang: null,
      },
      geo: place === undefined ? null : { type: 'Point', coordinates: [place[3], place[4]] },
      coordinates:
        place === undefined ? null : { type: 'Point', coordinates: [place[4], place[3]] },
      place:
        place === undefined
          ? null
          : {
              id: place[0].toLowerCase().replaceAll(' ', ''),
              place_type: 'city',
              name: place[0],
              full_name: `${place[0]}, ${place[1]}`,
              country_code: place[1],
              country: place[2],
            },
      entities: { hashtags, urls, user_mentions: mentions, symbols: [] },
      favorite_count: r.int(50),
      retweet_count: r.int(20),
      lang: 'en',
      timestamp_ms: String(ms),
    }
  }

  private tweet(): string {
    const ms = this.now()
    const tweet = this.tweetObject(ms)
    if (!this.random.chance(0.2)) return tweetJson(tweet)
    // A retweet: the original nested, the text prefixed, the retweeter's own id and user.
    const original = this.tweetObject(ms - 1000 - this.random.int(3_600_000))
    const outer = this.tweetObject(ms)
    const user = original['user'] as { screen_name: string }
    return tweetJson({
      ...outer,
      text: `RT @${user.screen_name}: ${String(original['text'])}`.slice(0, 140),
      entities: { hashtags: [], urls: [], user_mentions: [], symbols: [] },
      retweeted_status: original,
    })
  }

  private redditComment(): string {
    const r = this.random
    const ms = this.now()
    const author = this.author()
    const subreddit = r.pick(SUBREDDITS)
    const id = (ms * 1000 + (this.sequence++ % 1000)).toString(36)
    const link = (Math.floor(ms / 60_000) + r.int(1000)).toString(36)
    return JSON.stringify({
      subreddit_id: `t5_${subreddit.length.toString(36)}${subreddit.charCodeAt(0).toString(36)}`,
      link_id: `t3_${link}`,
      id,
      name: `t1_${id}`,
      author: author.screen,
      body: `${this.words(5 + r.int(30))}${r.chance(0.1) ? ` https://${r.pick(DOMAINS)}/${this.words(1)}` : ''}`,
      created_utc: Math.floor(ms / 1000),
      subreddit,
      score: r.int(200) - 10,
      parent_id: r.chance(0.5) ? `t3_${link}` : `t1_${(ms * 1000 - r.int(100000)).toString(36)}`,
      permalink: `/r/${subreddit}/comments/${link}/_/${id}/`,
      controversiality: r.chance(0.05) ? 1 : 0,
      gilded: 0,
    })
  }
}
