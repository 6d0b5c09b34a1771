import type { Interaction } from '../interaction.js'
import type { GeoPoint } from '../targets/target-def.js'
import {
  arrayAt,
  boolAt,
  idAt,
  intAt,
  isJsonObject,
  objectAt,
  objectsAt,
  stringAt,
  textAt,
  toLong,
  type JsonObject,
} from './json-value.js'
import { NormalizeError } from './normalize-error.js'
import { interactions, malformed, notice, type NormalizeOutcome } from './normalize-outcome.js'
import { parseIsoDate } from './parse-time.js'
import type { StreamNotice } from './stream-notice.js'
import {
  buildTweetInteraction,
  buildTwitterUser,
  geoPoint,
  readTweetText,
  type EntitySpan,
  type TweetText,
  type TwitterPlaceTree,
  type TwitterUserTree,
} from './twitter-parts.js'

const FORMAT = 'twitter-v2'

/** Lookups over a response's `includes`, built once per page. */
interface Includes {
  readonly users: ReadonlyMap<string, JsonObject>
  readonly tweets: ReadonlyMap<string, JsonObject>
  readonly places: ReadonlyMap<string, JsonObject>
  readonly media: ReadonlyMap<string, JsonObject>
}

function indexBy(list: readonly JsonObject[], key: string): ReadonlyMap<string, JsonObject> {
  const m = new Map<string, JsonObject>()
  for (const o of list) {
    const k = stringAt(o, key)
    if (k !== undefined) m.set(k, o)
  }
  return m
}

function readIncludes(record: JsonObject): Includes {
  const inc = objectAt(record, 'includes') ?? {}
  return {
    users: indexBy(objectsAt(inc, 'users'), 'id'),
    tweets: indexBy(objectsAt(inc, 'tweets'), 'id'),
    places: indexBy(objectsAt(inc, 'places'), 'id'),
    media: indexBy(objectsAt(inc, 'media'), 'media_key'),
  }
}

/** Recognises v2 traffic that holds no tweet: compliance events, error-only and empty pages. */
export function twitterV2Notice(record: JsonObject): StreamNotice | undefined {
  const action = stringAt(record, 'action')
  if (action !== undefined && typeof record['id'] === 'string' && record['data'] === undefined) {
    const id = stringAt(record, 'id')
    return {
      kind: action === 'delete' ? 'delete' : 'compliance',
      format: FORMAT,
      ...(id === undefined ? {} : { subjectId: id }),
    }
  }
  if (record['data'] !== undefined) return undefined
  if (arrayAt(record, 'errors') !== undefined) return { kind: 'api_errors', format: FORMAT }
  if (objectAt(record, 'meta') !== undefined) return { kind: 'empty_page', format: FORMAT }
  return undefined
}

/** True when the object looks like a v2 response or compliance event (the detector's test). */
export function looksLikeTwitterV2(record: JsonObject): boolean {
  const data = record['data']
  if (isJsonObject(data) || Array.isArray(data)) return true
  if (typeof record['action'] === 'string' && typeof record['id'] === 'string') return true
  return (
    record['__twarc'] !== undefined ||
    (arrayAt(record, 'errors') !== undefined && record['includes'] !== undefined)
  )
}

function spans(list: readonly JsonObject[]): EntitySpan[] {
  const out: EntitySpan[] = []
  for (const e of list) {
    const start = e['start']
    const end = e['end']
    if (typeof start === 'number' && typeof end === 'number') out.push({ start, end })
  }
  return out
}

function readV2Text(tweet: JsonObject, inReplyTo: string | undefined): TweetText {
  const note = objectAt(tweet, 'note_tweet')
  const text = stringAt(note ?? {}, 'text') ?? stringAt(tweet, 'text') ?? ''
  const entities = objectAt(note ?? {}, 'entities') ?? objectAt(tweet, 'entities')
  const urls = entities === undefined ? [] : objectsAt(entities, 'urls')
  const mentions = entities === undefined ? [] : objectsAt(entities, 'mentions')
  const hashtags = entities === undefined ? [] : objectsAt(entities, 'hashtags')
  // URL entities that carry a media_key are the attached photo/video, not a shared link.
  const links = urls.filter((u) => u['media_key'] === undefined)
  return readTweetText(
    {
      text,
      displayRange: undefined,
      // v2 omits `entities` when a tweet has none, unlike pre-2010 v1 payloads: nothing to extract.
      hasEntities: true,
      urlSpans: spans(urls),
      mentionSpans: spans(mentions),
      expandedUrls: links
        .map((u) => textAt(u, 'unwound_url') ?? textAt(u, 'expanded_url') ?? textAt(u, 'url') ?? '')
        .filter((u) => u !== ''),
      mentions: mentions.map((m) => textAt(m, 'username') ?? '').filter((m) => m !== ''),
      mentionIds: mentions.map((m) => idAt(m, 'id')).filter((id): id is string => id !== undefined),
      hashtags: hashtags.map((h) => textAt(h, 'tag') ?? '').filter((h) => h !== ''),
    },
    inReplyTo,
  )
}

function readV2User(user: JsonObject | undefined, at: number): TwitterUserTree | undefined {
  if (user === undefined) return undefined
  const metrics = objectAt(user, 'public_metrics') ?? {}
  const urlEntity = objectsAt(objectAt(objectAt(user, 'entities') ?? {}, 'url') ?? {}, 'urls')[0]
  return buildTwitterUser(
    {
      id: idAt(user, 'id'),
      screenName: textAt(user, 'username'),
      name: textAt(user, 'name'),
      description: textAt(user, 'description'),
      location: textAt(user, 'location'),
      timeZone: undefined,
      lang: undefined,
      url:
        (urlEntity === undefined ? undefined : textAt(urlEntity, 'expanded_url')) ??
        textAt(user, 'url'),
      followers: intAt(metrics, 'followers_count'),
      friends: intAt(metrics, 'following_count'),
      statuses: intAt(metrics, 'tweet_count'),
      listed: intAt(metrics, 'listed_count'),
      favourites: intAt(metrics, 'like_count'),
      verified: boolAt(user, 'verified'),
      createdAt: parseIsoDate(stringAt(user, 'created_at') ?? ''),
    },
    at,
  )
}

function readV2Place(place: JsonObject | undefined): TwitterPlaceTree | undefined {
  if (place === undefined) return undefined
  return {
    id: textAt(place, 'id'),
    name: textAt(place, 'name'),
    full_name: textAt(place, 'full_name'),
    country: textAt(place, 'country'),
    country_code: textAt(place, 'country_code'),
    place_type: textAt(place, 'place_type'),
  }
}

function readV2Geo(tweet: JsonObject): GeoPoint | undefined {
  const coords = arrayAt(objectAt(objectAt(tweet, 'geo') ?? {}, 'coordinates') ?? {}, 'coordinates')
  return coords === undefined ? undefined : geoPoint(coords[1], coords[0]) // GeoJSON order
}

function referenced(tweet: JsonObject, type: string): string | undefined {
  for (const r of objectsAt(tweet, 'referenced_tweets'))
    if (stringAt(r, 'type') === type) return stringAt(r, 'id')
  return undefined
}

function mediaOf(
  tweet: JsonObject,
  inc: Includes,
): { type: readonly string[] | undefined; url: readonly string[] | undefined } {
  const keys = arrayAt(objectAt(tweet, 'attachments') ?? {}, 'media_keys') ?? []
  const types: string[] = []
  const urls: string[] = []
  for (const k of keys) {
    const m = typeof k === 'string' ? inc.media.get(k) : undefined
    if (m === undefined) continue
    const t = textAt(m, 'type')
    if (t !== undefined) types.push(t)
    const u = textAt(m, 'url') ?? textAt(m, 'preview_image_url')
    if (u !== undefined) urls.push(u)
  }
  return { type: types.length === 0 ? undefined : types, url: urls.length === 0 ? undefined : urls }
}

function createdAtOf(tweet: JsonObject, id: string): number | NormalizeError {
  const raw = stringAt(tweet, 'created_at')
  if (raw === undefined)
    return new NormalizeError(
      'missing_field',
      `tweet ${id} has no created_at (request tweet.fields=created_at)`,
      {
        format: FORMAT,
        field: 'created_at',
      },
    )
  const t = parseIsoDate(raw)
  return (
    t ??
    new NormalizeError(
      'invalid_field',
      `tweet ${id} has an unreadable created_at "${raw.slice(0, 40)}"`,
      { format: FORMAT, field: 'created_at' },
    )
  )
}

function normalizeOne(tweet: JsonObject, inc: Includes): Interaction | NormalizeError {
  const id = idAt(tweet, 'id')
  if (id === undefined)
    return new NormalizeError('missing_field', 'v2 tweet has no id', {
      format: FORMAT,
      field: 'id',
    })
  const createdAt = createdAtOf(tweet, id)
  if (createdAt instanceof NormalizeError) return createdAt

  const authorId = stringAt(tweet, 'author_id')
  const userObj = authorId === undefined ? undefined : inc.users.get(authorId)
  const replyUserId = stringAt(tweet, 'in_reply_to_user_id')
  const replyUser = replyUserId === undefined ? undefined : inc.users.get(replyUserId)
  const replyScreenName = replyUser === undefined ? undefined : textAt(replyUser, 'username')
  const placeId = stringAt(objectAt(tweet, 'geo') ?? {}, 'place_id')
  const quotedId = referenced(tweet, 'quoted')
  const quotedObj = quotedId === undefined ? undefined : inc.tweets.get(quotedId)

  const retweetedId = referenced(tweet, 'retweeted')
  const orig = retweetedId === undefined ? undefined : inc.tweets.get(retweetedId)
  const origCreated =
    orig === undefined || retweetedId === undefined ? undefined : createdAtOf(orig, retweetedId)
  const origTime = typeof origCreated === 'number' ? origCreated : undefined
  const origAuthorId = orig === undefined ? undefined : stringAt(orig, 'author_id')
  // A retweet's text is the original's; without the expansion its own "RT @x: …" stands in.
  const text =
    retweetedId === undefined
      ? readV2Text(tweet, replyScreenName)
      : readV2Text(orig ?? tweet, undefined)

  return buildTweetInteraction({
    id,
    createdAt,
    author: readV2User(userObj, createdAt),
    avatar: userObj === undefined ? undefined : textAt(userObj, 'profile_image_url'),
    source: textAt(tweet, 'source'),
    lang: textAt(tweet, 'lang'),
    geo: readV2Geo(tweet),
    place: readV2Place(placeId === undefined ? undefined : inc.places.get(placeId)),
    text,
    media: mediaOf(tweet, inc),
    quoted:
      retweetedId === undefined
        ? quotedObj === undefined
          ? undefined
          : quotedTree(quotedObj, inc)
        : orig === undefined
          ? undefined
          : quotedOfOriginal(orig, inc),
    isQuote: quotedId !== undefined,
    reply: {
      statusId: referenced(tweet, 'replied_to'),
      screenName: replyScreenName,
      userId: toLong(replyUserId),
    },
    retweeted:
      retweetedId === undefined
        ? undefined
        : {
            id: retweetedId,
            createdAt: origTime,
            source: orig === undefined ? undefined : textAt(orig, 'source'),
            place: undefined,
            user:
              origTime === undefined || origAuthorId === undefined
                ? undefined
                : readV2User(inc.users.get(origAuthorId), origTime),
            count: intAt(objectAt(orig ?? tweet, 'public_metrics') ?? {}, 'retweet_count'),
          },
  })
}

function quotedOfOriginal(
  orig: JsonObject,
  inc: Includes,
): NonNullable<Interaction['twitter']>['quoted'] {
  const qid = referenced(orig, 'quoted')
  const q = qid === undefined ? undefined : inc.tweets.get(qid)
  return q === undefined ? undefined : quotedTree(q, inc)
}

function quotedTree(q: JsonObject, inc: Includes): NonNullable<Interaction['twitter']>['quoted'] {
  const id = idAt(q, 'id')
  if (id === undefined) return undefined
  const created = createdAtOf(q, id)
  const at = typeof created === 'number' ? created : undefined
  const authorId = stringAt(q, 'author_id')
  return {
    id,
    created_at: at,
    text: readV2Text(q, undefined).stripped,
    lang: textAt(q, 'lang'),
    user:
      at === undefined || authorId === undefined
        ? undefined
        : readV2User(inc.users.get(authorId), at),
  }
}

/**
 * Normalizes one Twitter API v2 line: a response page (`data` as an array or one object, with
 * `includes` expanded into authors, places, media, retweeted and quoted tweets) into one
 * interaction per tweet in `data`; compliance events and data-less pages into notices.
 * Tweets that appear only in `includes` give context and are not emitted themselves.
 * A page is malformed only if none of its tweets can be read; otherwise unreadable tweets are
 * reported in the outcome's `rejected` list and the rest are emitted.
 */
export function normalizeTwitterV2(record: JsonObject): NormalizeOutcome {
  const n = twitterV2Notice(record)
  if (n !== undefined) return notice(n)
  const data = record['data']
  const tweets = Array.isArray(data)
    ? (data as readonly unknown[]).filter(isJsonObject)
    : isJsonObject(data)
      ? [data]
      : []
  if (tweets.length === 0)
    return malformed(
      new NormalizeError('missing_field', 'v2 response has no tweet objects in data', {
        format: FORMAT,
        field: 'data',
      }),
    )
  const inc = readIncludes(record)
  const out: Interaction[] = []
  const rejected: NormalizeError[] = []
  for (const t of tweets) {
    const r = normalizeOne(t, inc)
    if (r instanceof NormalizeError) rejected.push(r)
    else out.push(r)
  }
  const first = rejected[0]
  if (out.length === 0 && first !== undefined) return malformed(first)
  return interactions(FORMAT, out, rejected)
}
