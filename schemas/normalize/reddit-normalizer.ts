import type { Interaction } from '../interaction.js'
import { decodeHtmlEntities } from '../text/html-entities.js'
import { domainOf } from '../text/url-normalize.js'
import { interactionId, sampleOf } from './interaction-id.js'
import {
  boolAt,
  intAt,
  objectAt,
  objectsAt,
  stringAt,
  textAt,
  type JsonObject,
} from './json-value.js'
import { NormalizeError } from './normalize-error.js'
import { interactions, malformed, type NormalizeOutcome } from './normalize-outcome.js'
import { parseEpochSeconds } from './parse-time.js'

const FORMAT = 'reddit'

/** True when the object is a Reddit comment or submission (API `data` object or pushshift line). */
export function looksLikeReddit(record: JsonObject): boolean {
  return (
    typeof record['id'] === 'string' &&
    record['created_utc'] !== undefined &&
    (typeof record['subreddit'] === 'string' ||
      typeof record['subreddit_id'] === 'string' ||
      typeof record['link_id'] === 'string' ||
      record['promoted'] === true) &&
    (typeof record['body'] === 'string' || typeof record['title'] === 'string')
  )
}

const BASE36_ID = /^[0-9a-z]{1,12}$/

/** Reddit's base-36 account id ("t2_145ffw" → 69882536) as a long. */
function base36Long(fullname: string | undefined): bigint | undefined {
  if (fullname === undefined) return undefined
  const digits = fullname.startsWith('t2_') ? fullname.slice(3) : fullname
  if (!BASE36_ID.test(digits)) return undefined
  let n = 0n
  for (const ch of digits) n = n * 36n + BigInt(Number.parseInt(ch, 36))
  return n
}

// Reddit's placeholder for an account that no longer exists.
const DELETED_AUTHOR = '[deleted]'

function commentTree(record: JsonObject): readonly JsonObject[] {
  const replies = objectAt(record, 'replies')
  const children =
    replies === undefined ? [] : objectsAt(objectAt(replies, 'data') ?? {}, 'children')
  const out: JsonObject[] = []
  for (const child of children) {
    const data = objectAt(child, 'data')
    if (stringAt(child, 'kind') === 't1' && data !== undefined) out.push(data)
  }
  return out
}

function normalizeOne(record: JsonObject): Interaction | NormalizeError {
  const id = textAt(record, 'id')
  if (id === undefined)
    return new NormalizeError('missing_field', 'Reddit record has no id', {
      format: FORMAT,
      field: 'id',
    })
  const createdAt = parseEpochSeconds(record['created_utc'])
  if (createdAt === undefined)
    return new NormalizeError(
      record['created_utc'] === undefined ? 'missing_field' : 'invalid_field',
      `Reddit record ${id} has no readable created_utc`,
      { format: FORMAT, field: 'created_utc' },
    )
  const isComment = typeof record['body'] === 'string'
  const fullname = `${isComment ? 't1' : 't3'}_${id}`
  const subreddit = textAt(record, 'subreddit')
  const authorName = textAt(record, 'author')
  const author = authorName === undefined || authorName === DELETED_AUTHOR ? undefined : authorName
  const body = decodeHtmlEntities(stringAt(record, isComment ? 'body' : 'selftext') ?? '')
  const titleRaw = textAt(record, isComment ? 'link_title' : 'title')
  const title = titleRaw === undefined ? undefined : decodeHtmlEntities(titleRaw)
  const permalink = textAt(record, 'permalink')
  const linkId = textAt(record, 'link_id')
  const link =
    permalink !== undefined
      ? `https://www.reddit.com${permalink}`
      : isComment && subreddit !== undefined && linkId !== undefined
        ? `https://www.reddit.com/r/${subreddit}/comments/${linkId.replace(/^t3_/, '')}/_/${id}/`
        : subreddit !== undefined
          ? `https://www.reddit.com/r/${subreddit}/comments/${id}/`
          : `https://www.reddit.com/comments/${id}/`
  const url = isComment || boolAt(record, 'is_self') === true ? undefined : textAt(record, 'url')
  const edited = record['edited']
  const iid = interactionId('reddit', fullname)
  return {
    interaction: {
      id: iid,
      type: 'reddit',
      subtype: isComment ? 'comment' : 'post',
      created_at: createdAt,
      raw_content: body === '' ? undefined : body,
      title: isComment ? undefined : title,
      author: {
        id: author === undefined ? undefined : base36Long(textAt(record, 'author_fullname')),
        username: author,
        link: author === undefined ? undefined : `https://www.reddit.com/user/${author}`,
      },
      link,
      sample: sampleOf(iid),
    },
    reddit: {
      id,
      type: isComment ? 'comment' : 'post',
      subreddit,
      subreddit_id: textAt(record, 'subreddit_id'),
      title,
      content: body === '' ? undefined : body,
      author: { name: author, flair: textAt(record, 'author_flair_text') },
      score: intAt(record, 'score'),
      num_comments: isComment ? undefined : intAt(record, 'num_comments'),
      gilded: intAt(record, 'gilded'),
      link_id: linkId,
      parent_id: textAt(record, 'parent_id'),
      url,
      domain: isComment
        ? undefined
        : (textAt(record, 'domain') ?? (url === undefined ? undefined : domainOf(url))),
      flair: textAt(record, 'link_flair_text'),
      distinguished: textAt(record, 'distinguished'),
      edited: edited === undefined || edited === null ? undefined : edited !== false,
      stickied: boolAt(record, 'stickied'),
      over_18: boolAt(record, 'over_18'),
      is_self: isComment ? undefined : boolAt(record, 'is_self'),
    },
    links: { url: url === undefined ? undefined : [url] },
  }
}

/**
 * Normalizes one Reddit comment (t1) or submission (t3), from the API or a pushshift dump.
 * A comment that carries its `replies` listing (the API's tree form) yields every comment of
 * the tree; duplicates of comments that also arrive on their own share an interaction.id.
 */
export function normalizeReddit(record: JsonObject): NormalizeOutcome {
  const first = normalizeOne(record)
  if (first instanceof NormalizeError) return malformed(first)
  const out: Interaction[] = [first]
  const rejected: NormalizeError[] = []
  const pending = [...commentTree(record)]
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const r = normalizeOne(next)
    if (r instanceof NormalizeError) rejected.push(r)
    else out.push(r)
    pending.push(...commentTree(next))
  }
  return interactions(FORMAT, out, rejected)
}
