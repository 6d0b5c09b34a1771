import type { Interaction } from '../interaction.js'
import type { GeoPoint } from '../targets/target-def.js'
import {
  arrayAt,
  boolAt,
  idAt,
  intAt,
  objectAt,
  objectsAt,
  stringAt,
  textAt,
  textsAt,
  toLong,
  type JsonObject,
} from './json-value.js'
import { NormalizeError } from './normalize-error.js'
import { interactions, malformed, notice, type NormalizeOutcome } from './normalize-outcome.js'
import { parseTwitterDate } from './parse-time.js'
import type { StreamNotice } from './stream-notice.js'
import {
  buildTweetInteraction,
  buildTwitterUser,
  geoPoint,
  indexedSpans,
  readTweetText,
  sourceAppName,
  type TweetMedia,
  type TweetText,
  type TwitterPlaceTree,
  type TwitterUserTree,
} from './twitter-parts.js'

const FORMAT = 'twitter-v1'

/** Recognises v1.1 stream messages that are not tweets; undefined for anything else. */
export function twitterV1Notice(record: JsonObject): StreamNotice | undefined {
  const del = objectAt(record, 'delete')
  if (del !== undefined) {
    const status = objectAt(del, 'status')
    const id = status === undefined ? undefined : idAt(status, 'id')
    return { kind: 'delete', format: FORMAT, ...(id === undefined ? {} : { subjectId: id }) }
  }
  if (objectAt(record, 'scrub_geo') !== undefined) return { kind: 'scrub_geo', format: FORMAT }
  if (objectAt(record, 'limit') !== undefined) return { kind: 'limit', format: FORMAT }
  if (
    objectAt(record, 'status_withheld') !== undefined ||
    objectAt(record, 'user_withheld') !== undefined
  )
    return { kind: 'withheld', format: FORMAT }
  if (objectAt(record, 'disconnect') !== undefined) return { kind: 'disconnect', format: FORMAT }
  if (objectAt(record, 'warning') !== undefined) return { kind: 'warning', format: FORMAT }
  if (arrayAt(record, 'friends') !== undefined || arrayAt(record, 'friends_str') !== undefined)
    return { kind: 'friends', format: FORMAT }
  if (objectAt(record, 'direct_message') !== undefined)
    return { kind: 'direct_message', format: FORMAT }
  if (typeof record['event'] === 'string' && objectAt(record, 'source') !== undefined)
    return { kind: 'event', format: FORMAT }
  return undefined
}

/** True when the object looks like a v1.1 tweet (the detector's test). */
export function looksLikeTwitterV1(record: JsonObject): boolean {
  return (
    typeof record['created_at'] === 'string' &&
    (typeof record['text'] === 'string' || typeof record['full_text'] === 'string') &&
    (record['id_str'] !== undefined || typeof record['id'] === 'number')
  )
}

/** Text, entities and media of one v1.1 tweet object (extended_tweet wins in compat mode). */
function readV1Text(tweet: JsonObject): { text: TweetText; media: TweetMedia } {
  const ext = objectAt(tweet, 'extended_tweet')
  const src = ext ?? tweet
  const text =
    stringAt(src, 'full_text') ?? stringAt(tweet, 'full_text') ?? stringAt(tweet, 'text') ?? ''
  const entities = objectAt(src, 'entities')
  const media = objectsAt(objectAt(src, 'extended_entities') ?? entities ?? {}, 'media')
  const urls = entities === undefined ? [] : objectsAt(entities, 'urls')
  const mentions = entities === undefined ? [] : objectsAt(entities, 'user_mentions')
  const hashtags = entities === undefined ? [] : objectsAt(entities, 'hashtags')
  const range = arrayAt(src, 'display_text_range')
  const r0 = range?.[0]
  const r1 = range?.[1]
  const displayRange: readonly [number, number] | undefined =
    typeof r0 === 'number' && typeof r1 === 'number' ? [r0, r1] : undefined
  const tt = readTweetText(
    {
      text,
      displayRange,
      hasEntities: entities !== undefined,
      urlSpans: [...indexedSpans(urls), ...indexedSpans(media)],
      mentionSpans: indexedSpans(mentions),
      expandedUrls: urls
        .map((u) => stringAt(u, 'expanded_url') ?? stringAt(u, 'url') ?? '')
        .filter((u) => u !== ''),
      mentions: textsAt(mentions, 'screen_name'),
      mentionIds: mentions.map((m) => idAt(m, 'id')).filter((id): id is string => id !== undefined),
      hashtags: textsAt(hashtags, 'text'),
    },
    textAt(tweet, 'in_reply_to_screen_name'),
  )
  const types = textsAt(media, 'type')
  const mediaUrls = media
    .map((m) => stringAt(m, 'media_url_https') ?? stringAt(m, 'media_url') ?? '')
    .filter((u) => u !== '')
  return {
    text: tt,
    media: {
      type: types.length === 0 ? undefined : types,
      url: mediaUrls.length === 0 ? undefined : mediaUrls,
    },
  }
}

function readV1User(user: JsonObject | undefined, at: number): TwitterUserTree | undefined {
  if (user === undefined) return undefined
  const urlEntity = objectsAt(objectAt(objectAt(user, 'entities') ?? {}, 'url') ?? {}, 'urls')[0]
  return buildTwitterUser(
    {
      id: idAt(user, 'id'),
      screenName: textAt(user, 'screen_name'),
      name: textAt(user, 'name'),
      description: textAt(user, 'description'),
      location: textAt(user, 'location'),
      timeZone: textAt(user, 'time_zone'),
      lang: textAt(user, 'lang'),
      url:
        (urlEntity === undefined ? undefined : textAt(urlEntity, 'expanded_url')) ??
        textAt(user, 'url'),
      followers: intAt(user, 'followers_count'),
      friends: intAt(user, 'friends_count'),
      statuses: intAt(user, 'statuses_count'),
      listed: intAt(user, 'listed_count'),
      favourites: intAt(user, 'favourites_count'),
      verified: boolAt(user, 'verified'),
      createdAt: parseTwitterDate(stringAt(user, 'created_at') ?? ''),
    },
    at,
  )
}

function readV1Place(place: JsonObject | undefined): TwitterPlaceTree | undefined {
  if (place === undefined) return undefined
  return {
    id: textAt(place, 'id'),
    name: textAt(place, 'name'),
    full_name: textAt(place, 'full_name'),
    country: textAt(place, 'country'),
    country_code: textAt(place, 'country_code'),
    place_type: textAt(place, 'place_type'),
    url: textAt(place, 'url'),
  }
}

function readV1Geo(tweet: JsonObject): GeoPoint | undefined {
  const coords = arrayAt(objectAt(tweet, 'coordinates') ?? {}, 'coordinates')
  if (coords !== undefined) return geoPoint(coords[1], coords[0]) // GeoJSON: [longitude, latitude]
  const geo = arrayAt(objectAt(tweet, 'geo') ?? {}, 'coordinates')
  return geo === undefined ? undefined : geoPoint(geo[0], geo[1]) // legacy `geo`: [latitude, longitude]
}

interface Required {
  readonly id: string
  readonly createdAt: number
}

function requireIdAndTime(tweet: JsonObject, what: string): Required | NormalizeError {
  const id = idAt(tweet, 'id')
  if (id === undefined) {
    return tweet['id'] === undefined
      ? new NormalizeError('missing_field', `${what} has no id_str or id`, {
          format: FORMAT,
          field: 'id_str',
        })
      : new NormalizeError(
          'invalid_field',
          `${what} id is over 2^53 and has no id_str, so it cannot be read exactly`,
          {
            format: FORMAT,
            field: 'id',
          },
        )
  }
  const raw = stringAt(tweet, 'created_at')
  if (raw === undefined)
    return new NormalizeError('missing_field', `${what} ${id} has no created_at`, {
      format: FORMAT,
      field: 'created_at',
    })
  const createdAt = parseTwitterDate(raw)
  if (createdAt === undefined)
    return new NormalizeError(
      'invalid_field',
      `${what} ${id} has an unreadable created_at "${raw.slice(0, 40)}"`,
      {
        format: FORMAT,
        field: 'created_at',
      },
    )
  return { id, createdAt }
}

function quotedTree(quoted: JsonObject | undefined): NonNullable<Interaction['twitter']>['quoted'] {
  if (quoted === undefined) return undefined
  const req = requireIdAndTime(quoted, 'quoted tweet')
  if (req instanceof NormalizeError) return undefined
  return {
    id: req.id,
    created_at: req.createdAt,
    text: readV1Text(quoted).text.stripped,
    lang: textAt(quoted, 'lang'),
    user: readV1User(objectAt(quoted, 'user'), req.createdAt),
  }
}

/**
 * Normalizes one Twitter API v1.1 record: a tweet (plain, reply, quote or retweet; classic,
 * compatibility or extended mode) into one interaction, a stream message into a notice, and
 * anything else into a reasoned error.
 */
export function normalizeTwitterV1(record: JsonObject): NormalizeOutcome {
  const n = twitterV1Notice(record)
  if (n !== undefined) return notice(n)
  const req = requireIdAndTime(record, 'tweet')
  if (req instanceof NormalizeError) return malformed(req)
  const user = objectAt(record, 'user')
  if (user === undefined)
    return malformed(
      new NormalizeError('missing_field', `tweet ${req.id} has no user object`, {
        format: FORMAT,
        field: 'user',
      }),
    )

  const { id, createdAt } = req
  const retweeted = objectAt(record, 'retweeted_status')
  const orig = retweeted === undefined ? undefined : requireIdAndTime(retweeted, 'retweeted tweet')
  if (orig instanceof NormalizeError) return malformed(orig)
  const { text, media } = readV1Text(retweeted ?? record)
  return interactions(FORMAT, [
    buildTweetInteraction({
      id,
      createdAt,
      author: readV1User(user, createdAt),
      avatar: textAt(user, 'profile_image_url_https') ?? textAt(user, 'profile_image_url'),
      source: sourceAppName(stringAt(record, 'source')),
      lang: textAt(record, 'lang'),
      geo: readV1Geo(record),
      place: readV1Place(objectAt(record, 'place')),
      text,
      media,
      quoted: quotedTree(objectAt(retweeted ?? record, 'quoted_status')),
      isQuote:
        objectAt(record, 'quoted_status') !== undefined || record['is_quote_status'] === true,
      reply: {
        statusId: idAt(record, 'in_reply_to_status_id'),
        screenName: textAt(record, 'in_reply_to_screen_name'),
        userId: toLong(idAt(record, 'in_reply_to_user_id')),
      },
      retweeted:
        retweeted === undefined || orig === undefined
          ? undefined
          : {
              id: orig.id,
              createdAt: orig.createdAt,
              source: sourceAppName(stringAt(retweeted, 'source')),
              place: readV1Place(objectAt(retweeted, 'place')),
              user: readV1User(objectAt(retweeted, 'user'), orig.createdAt),
              count: intAt(retweeted, 'retweet_count') ?? intAt(record, 'retweet_count'),
            },
    }),
  ])
}
