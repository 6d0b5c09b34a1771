import type { Interaction } from '../interaction.js'
import { interactionId, sampleOf } from './interaction-id.js'
import {
  boolAt,
  intAt,
  objectAt,
  objectsAt,
  textAt,
  toLong,
  type JsonObject,
} from './json-value.js'
import { NormalizeError } from './normalize-error.js'
import { interactions, malformed, type NormalizeOutcome } from './normalize-outcome.js'
import { parseEpochSeconds } from './parse-time.js'
import { geoPoint } from './twitter-parts.js'

const FORMAT = 'foursquare'

/** True when the object is a Foursquare v2 check-in (the detector's test). */
export function looksLikeFoursquare(record: JsonObject): boolean {
  return (
    record['type'] === 'checkin' &&
    typeof record['id'] === 'string' &&
    record['createdAt'] !== undefined
  )
}

// Photos are a URL string in 2010-era payloads and {prefix, suffix} parts later.
function photoUrl(user: JsonObject): string | undefined {
  const photo = user['photo']
  if (typeof photo === 'string') return photo === '' ? undefined : photo
  const parts = objectAt(user, 'photo')
  const prefix = parts === undefined ? undefined : textAt(parts, 'prefix')
  const suffix = parts === undefined ? undefined : textAt(parts, 'suffix')
  return prefix === undefined || suffix === undefined ? undefined : `${prefix}original${suffix}`
}

function countOf(record: JsonObject, key: string): number | undefined {
  const o = objectAt(record, key)
  return o === undefined ? undefined : intAt(o, 'count')
}

/**
 * Normalizes one Foursquare v2 check-in. Check-ins embedded in venue or badge responses lack
 * `user` or `venue`; they still normalize, with those targets absent.
 */
export function normalizeFoursquare(record: JsonObject): NormalizeOutcome {
  const id = textAt(record, 'id')
  if (id === undefined)
    return malformed(
      new NormalizeError('missing_field', 'check-in has no id', { format: FORMAT, field: 'id' }),
    )
  const createdAt = parseEpochSeconds(record['createdAt'])
  if (createdAt === undefined)
    return malformed(
      new NormalizeError('invalid_field', `check-in ${id} has no readable createdAt`, {
        format: FORMAT,
        field: 'createdAt',
      }),
    )
  const user = objectAt(record, 'user')
  const venue = objectAt(record, 'venue')
  const location = venue === undefined ? undefined : objectAt(venue, 'location')
  const userId = user === undefined ? undefined : textAt(user, 'id')
  const first = user === undefined ? undefined : textAt(user, 'firstName')
  const last = user === undefined ? undefined : textAt(user, 'lastName')
  const name = first === undefined ? last : last === undefined ? first : `${first} ${last}`
  const shout = textAt(record, 'shout')
  const categories =
    venue === undefined
      ? []
      : objectsAt(venue, 'categories')
          .map((c) => textAt(c, 'name') ?? '')
          .filter((c) => c !== '')
  const iid = interactionId('foursquare', id)
  const interaction: Interaction = {
    interaction: {
      id: iid,
      type: 'foursquare',
      subtype: 'checkin',
      created_at: createdAt,
      raw_content: shout,
      author: {
        id: toLong(userId),
        name,
        link: userId === undefined ? undefined : `https://foursquare.com/user/${userId}`,
        avatar: user === undefined ? undefined : photoUrl(user),
      },
      source: textAt(objectAt(record, 'source') ?? {}, 'name'),
      link:
        userId === undefined
          ? `https://foursquare.com/checkin/${id}`
          : `https://foursquare.com/user/${userId}/checkin/${id}`,
      geo: location === undefined ? undefined : geoPoint(location['lat'], location['lng']),
      sample: sampleOf(iid),
    },
    foursquare: {
      id,
      shout,
      timezone: textAt(record, 'timeZone'),
      venue: {
        id: venue === undefined ? undefined : textAt(venue, 'id'),
        name: venue === undefined ? undefined : textAt(venue, 'name'),
        categories: categories.length === 0 ? undefined : categories,
        city: location === undefined ? undefined : textAt(location, 'city'),
        state: location === undefined ? undefined : textAt(location, 'state'),
        country: location === undefined ? undefined : textAt(location, 'country'),
        country_code: location === undefined ? undefined : textAt(location, 'cc'),
      },
      user: {
        gender: user === undefined ? undefined : textAt(user, 'gender'),
        home_city: user === undefined ? undefined : textAt(user, 'homeCity'),
      },
      is_mayor: boolAt(record, 'isMayor'),
      likes: { count: countOf(record, 'likes') },
      photos: { count: countOf(record, 'photos') },
    },
  }
  return interactions(FORMAT, [interaction])
}
