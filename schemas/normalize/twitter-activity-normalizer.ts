import type { Interaction } from '../interaction.js'
import type { GeoPoint } from '../targets/target-def.js'
import {
  arrayAt,
  boolAt,
  intAt,
  objectAt,
  objectsAt,
  stringAt,
  textAt,
  textsAt,
  type JsonObject,
} from './json-value.js'
import { NormalizeError } from './normalize-error.js'
import { interactions, malformed, type NormalizeOutcome } from './normalize-outcome.js'
import { parseIsoDate } from './parse-time.js'
import {
  buildTweetInteraction,
  buildTwitterUser,
  geoPoint,
  indexedSpans,
  readTweetText,
  type TweetMedia,
  type TweetText,
  type TwitterPlaceTree,
  type TwitterUserTree,
} from './twitter-parts.js'

const FORMAT = 'twitter-activity-streams'

/** True when the object is a Gnip Activity Streams activity (the detector's test). */
export function looksLikeActivity(record: JsonObject): boolean {
  return (
    typeof record['verb'] === 'string' &&
    objectAt(record, 'actor') !== undefined &&
    typeof record['postedTime'] === 'string'
  )
}

// "tag:search.twitter.com,2005:887453193294282752", "id:twitter.com:815279070241955840".
function trailingId(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  const m = /:(\d{1,20})$/.exec(value)
  return m?.[1]
}

// "http://twitter.com/notFromShrek/statuses/861645830863822848"
const STATUS_LINK = /twitter\.com\/([^/]+)\/status(?:es)?\/(\d{1,20})/

interface ActivityText {
  readonly text: TweetText
  readonly media: TweetMedia
}

function readActivityText(activity: JsonObject, inReplyTo: string | undefined): ActivityText {
  const long = objectAt(activity, 'long_object')
  const src = long ?? activity
  const entities = objectAt(src, 'twitter_entities')
  const media = objectsAt(objectAt(src, 'twitter_extended_entities') ?? entities ?? {}, 'media')
  const urls = entities === undefined ? [] : objectsAt(entities, 'urls')
  const mentions = entities === undefined ? [] : objectsAt(entities, 'user_mentions')
  const range = arrayAt(src, 'display_text_range')
  const r0 = range?.[0]
  const r1 = range?.[1]
  const text = readTweetText(
    {
      text: stringAt(src, 'body') ?? '',
      displayRange: typeof r0 === 'number' && typeof r1 === 'number' ? [r0, r1] : undefined,
      hasEntities: entities !== undefined,
      urlSpans: [...indexedSpans(urls), ...indexedSpans(media)],
      mentionSpans: indexedSpans(mentions),
      expandedUrls: urls
        .map((u) => textAt(u, 'expanded_url') ?? textAt(u, 'url') ?? '')
        .filter((u) => u !== ''),
      mentions: textsAt(mentions, 'screen_name'),
      mentionIds: textsAt(mentions, 'id_str'),
      hashtags: entities === undefined ? [] : textsAt(objectsAt(entities, 'hashtags'), 'text'),
    },
    inReplyTo,
  )
  const types = textsAt(media, 'type')
  const mediaUrls = media
    .map((m) => textAt(m, 'media_url_https') ?? textAt(m, 'media_url') ?? '')
    .filter((u) => u !== '')
  return {
    text,
    media: {
      type: types.length === 0 ? undefined : types,
      url: mediaUrls.length === 0 ? undefined : mediaUrls,
    },
  }
}

function readActor(actor: JsonObject | undefined, at: number): TwitterUserTree | undefined {
  if (actor === undefined) return undefined
  const languages = arrayAt(actor, 'languages')
  const lang = languages?.[0]
  const site = objectsAt(actor, 'links')[0]
  return buildTwitterUser(
    {
      id: trailingId(stringAt(actor, 'id')),
      screenName: textAt(actor, 'preferredUsername'),
      name: textAt(actor, 'displayName'),
      description: textAt(actor, 'summary'),
      location: textAt(objectAt(actor, 'location') ?? {}, 'displayName'),
      timeZone: textAt(actor, 'twitterTimeZone'),
      lang: typeof lang === 'string' ? lang : undefined,
      url: site === undefined ? undefined : textAt(site, 'href'),
      followers: intAt(actor, 'followersCount'),
      friends: intAt(actor, 'friendsCount'),
      statuses: intAt(actor, 'statusesCount'),
      listed: intAt(actor, 'listedCount'),
      favourites: intAt(actor, 'favoritesCount'),
      verified: boolAt(actor, 'verified'),
      createdAt: parseIsoDate(stringAt(actor, 'postedTime') ?? ''),
    },
    at,
  )
}

function readPlace(location: JsonObject | undefined): TwitterPlaceTree | undefined {
  if (location === undefined || stringAt(location, 'objectType') !== 'place') return undefined
  const link = textAt(location, 'link')
  return {
    id: link === undefined ? undefined : /\/geo\/id\/([0-9a-f]+)\.json$/.exec(link)?.[1],
    name: textAt(location, 'name'),
    full_name: textAt(location, 'displayName'),
    // Gnip puts the country *name* in `country_code` and the code in `twitter_country_code`.
    country: textAt(location, 'country_code'),
    country_code: textAt(location, 'twitter_country_code'),
    place_type: textAt(location, 'twitter_place_type'),
    url: link,
  }
}

function readGeo(activity: JsonObject): GeoPoint | undefined {
  const coords = arrayAt(objectAt(activity, 'geo') ?? {}, 'coordinates')
  return coords === undefined ? undefined : geoPoint(coords[0], coords[1]) // Gnip `geo`: [latitude, longitude]
}

function idAndTime(
  activity: JsonObject,
  what: string,
): { id: string; createdAt: number } | NormalizeError {
  const id = trailingId(stringAt(activity, 'id'))
  if (id === undefined)
    return new NormalizeError('missing_field', `${what} has no readable id`, {
      format: FORMAT,
      field: 'id',
    })
  const raw = stringAt(activity, 'postedTime')
  const createdAt = raw === undefined ? undefined : parseIsoDate(raw)
  if (createdAt === undefined)
    return new NormalizeError(
      raw === undefined ? 'missing_field' : 'invalid_field',
      `${what} ${id} has no readable postedTime`,
      {
        format: FORMAT,
        field: 'postedTime',
      },
    )
  return { id, createdAt }
}

function quotedTree(q: JsonObject | undefined): NonNullable<Interaction['twitter']>['quoted'] {
  if (q === undefined) return undefined
  const req = idAndTime(q, 'quoted activity')
  if (req instanceof NormalizeError) return undefined
  return {
    id: req.id,
    created_at: req.createdAt,
    text: readActivityText(q, undefined).text.stripped,
    lang: textAt(q, 'twitter_lang'),
    user: readActor(objectAt(q, 'actor'), req.createdAt),
  }
}

/**
 * Normalizes one Gnip / PowerTrack Activity Streams activity (`verb` "post" or "share") into
 * the same interaction the v1.1 normalizer makes of the same tweet: same interaction.id, and
 * the same twitter.* shape.
 */
export function normalizeTwitterActivity(record: JsonObject): NormalizeOutcome {
  const req = idAndTime(record, 'activity')
  if (req instanceof NormalizeError) return malformed(req)
  const { id, createdAt } = req
  const actorObj = objectAt(record, 'actor')
  const original = stringAt(record, 'verb') === 'share' ? objectAt(record, 'object') : undefined
  const orig = original === undefined ? undefined : idAndTime(original, 'shared activity')
  if (orig instanceof NormalizeError) return malformed(orig)
  const reply = STATUS_LINK.exec(textAt(objectAt(record, 'inReplyTo') ?? {}, 'link') ?? '')
  const { text, media } = readActivityText(
    original ?? record,
    original === undefined ? reply?.[1] : undefined,
  )
  return interactions(FORMAT, [
    buildTweetInteraction({
      id,
      createdAt,
      author: readActor(actorObj, createdAt),
      avatar: actorObj === undefined ? undefined : textAt(actorObj, 'image'),
      source: textAt(objectAt(record, 'generator') ?? {}, 'displayName'),
      lang: textAt(record, 'twitter_lang'),
      geo: readGeo(record),
      place: readPlace(objectAt(record, 'location')),
      text,
      media,
      quoted: quotedTree(objectAt(original ?? record, 'twitter_quoted_status')),
      isQuote: objectAt(record, 'twitter_quoted_status') !== undefined,
      reply:
        reply === null
          ? undefined
          : { statusId: reply[2], screenName: reply[1], userId: undefined },
      retweeted:
        original === undefined || orig === undefined
          ? undefined
          : {
              id: orig.id,
              createdAt: orig.createdAt,
              source: textAt(objectAt(original, 'generator') ?? {}, 'displayName'),
              place: readPlace(objectAt(original, 'location')),
              user: readActor(objectAt(original, 'actor'), orig.createdAt),
              count: intAt(record, 'retweetCount'),
            },
    }),
  ])
}
