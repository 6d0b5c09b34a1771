import type { Interaction } from '../interaction.js'
import { interactionId, sampleOf } from './interaction-id.js'
import {
  intAt,
  objectAt,
  objectsAt,
  stringAt,
  textAt,
  toLong,
  type JsonObject,
} from './json-value.js'
import { NormalizeError } from './normalize-error.js'
import { interactions, malformed, type NormalizeOutcome } from './normalize-outcome.js'
import { parseIsoDate } from './parse-time.js'
import { geoPoint } from './twitter-parts.js'

const FORMAT = 'facebook'

const FB_ID = /^\d{1,20}(?:_\d{1,20})?$/

/** True when the object is a Graph API post or comment (the detector's test). */
export function looksLikeFacebook(record: JsonObject): boolean {
  const id = stringAt(record, 'id')
  return (
    id !== undefined &&
    FB_ID.test(id) &&
    typeof record['created_time'] === 'string' &&
    objectAt(record, 'from') !== undefined
  )
}

// Posts carry a `type` (status, photo, …); comments never do.
function isPost(record: JsonObject): boolean {
  return (
    typeof record['type'] === 'string' ||
    typeof record['status_type'] === 'string' ||
    record['privacy'] !== undefined
  )
}

function postLink(id: string): string {
  const [owner, post] = id.split('_')
  return post === undefined
    ? `https://www.facebook.com/${id}`
    : `https://www.facebook.com/${owner}/posts/${post}`
}

function names(list: readonly JsonObject[]): readonly string[] | undefined {
  const out = list.map((o) => textAt(o, 'name') ?? '').filter((n) => n !== '')
  return out.length === 0 ? undefined : out
}

function normalizeOne(
  record: JsonObject,
  parentId: string | undefined,
): Interaction | NormalizeError {
  const id = textAt(record, 'id')
  if (id === undefined)
    return new NormalizeError('missing_field', 'Facebook record has no id', {
      format: FORMAT,
      field: 'id',
    })
  const raw = stringAt(record, 'created_time')
  const createdAt = raw === undefined ? undefined : parseIsoDate(raw)
  if (createdAt === undefined)
    return new NormalizeError(
      raw === undefined ? 'missing_field' : 'invalid_field',
      `Facebook record ${id} has no readable created_time`,
      {
        format: FORMAT,
        field: 'created_time',
      },
    )
  const post = isPost(record)
  const from = objectAt(record, 'from') ?? {}
  const authorId = textAt(from, 'id')
  const message = textAt(record, 'message')
  const place = objectAt(record, 'place')
  const location = place === undefined ? undefined : objectAt(place, 'location')
  const likes = objectAt(record, 'likes')
  const type = post ? (textAt(record, 'type') ?? 'status') : 'comment'
  const iid = interactionId('facebook', id)
  return {
    interaction: {
      id: iid,
      type: 'facebook',
      subtype: type,
      created_at: createdAt,
      raw_content: message,
      title: post ? textAt(record, 'name') : undefined,
      author: {
        id: toLong(authorId),
        name: textAt(from, 'name'),
        link: authorId === undefined ? undefined : `https://www.facebook.com/${authorId}`,
      },
      source: textAt(objectAt(record, 'application') ?? {}, 'name'),
      link: post
        ? (textAt(objectsAt(record, 'actions')[0] ?? {}, 'link') ?? postLink(id))
        : `https://www.facebook.com/${id}`,
      geo:
        location === undefined ? undefined : geoPoint(location['latitude'], location['longitude']),
      sample: sampleOf(iid),
    },
    facebook: {
      id,
      type,
      message,
      story: textAt(record, 'story'),
      name: post ? textAt(record, 'name') : undefined,
      caption: textAt(record, 'caption'),
      description: textAt(record, 'description'),
      link: textAt(record, 'link'),
      application: textAt(objectAt(record, 'application') ?? {}, 'name'),
      author: {
        id: toLong(authorId),
        name: textAt(from, 'name'),
        category: textAt(from, 'category'),
      },
      likes: {
        count:
          intAt(record, 'like_count') ??
          (likes === undefined
            ? undefined
            : (intAt(likes, 'count') ?? objectsAt(likes, 'data').length)),
        names: likes === undefined ? undefined : names(objectsAt(likes, 'data')),
      },
      to: { names: names(objectsAt(objectAt(record, 'to') ?? {}, 'data')) },
      place: {
        id: place === undefined ? undefined : textAt(place, 'id'),
        name: place === undefined ? undefined : textAt(place, 'name'),
      },
      parent_id: textAt(objectAt(record, 'parent') ?? {}, 'id') ?? parentId,
    },
    links: { url: post ? maybeList(textAt(record, 'link')) : undefined },
  }
}

function maybeList(v: string | undefined): readonly string[] | undefined {
  return v === undefined ? undefined : [v]
}

/**
 * Normalizes one Graph API object: a post (with any comments nested in `comments.data`, each
 * emitted as its own interaction) or a comment.
 */
export function normalizeFacebook(record: JsonObject): NormalizeOutcome {
  const first = normalizeOne(record, undefined)
  if (first instanceof NormalizeError) return malformed(first)
  const out: Interaction[] = [first]
  const rejected: NormalizeError[] = []
  const postId = stringAt(record, 'id')
  for (const c of objectsAt(objectAt(record, 'comments') ?? {}, 'data')) {
    const r = normalizeOne(c, postId)
    if (r instanceof NormalizeError) rejected.push(r)
    else out.push(r)
  }
  return interactions(FORMAT, out, rejected)
}
