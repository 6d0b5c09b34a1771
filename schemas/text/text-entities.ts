import twitterText from 'twitter-text'
import type { TextSpan } from './text-spans.js'

/** A URL found in text, as written (scheme optional), with its UTF-16 span. */
export interface UrlInText extends TextSpan {
  readonly url: string
}

/** An @mention found in text, without the "@", with its UTF-16 span. */
export interface MentionInText extends TextSpan {
  readonly username: string
}

/** A hashtag found in text, without the "#", with its UTF-16 span. */
export interface HashtagInText extends TextSpan {
  readonly tag: string
}

/** Entities of a text extracted the way Twitter does (twitter-text's rules). */
export interface TextEntities {
  readonly urls: readonly UrlInText[]
  readonly mentions: readonly MentionInText[]
  readonly hashtags: readonly HashtagInText[]
}

const NONE: TextEntities = { urls: [], mentions: [], hashtags: [] }

// Every entity needs one of these: "#"/"＃" for hashtags, "@"/"＠" for mentions, "." for URLs.
const MAY_HOLD_ENTITY = /[#＃@＠.]/

/**
 * Extracts URLs, @mentions and hashtags from text with twitter-text, in one pass, with UTF-16
 * spans. Used for sources that do not ship entities (Reddit, Facebook, Foursquare, and tweets
 * older than 2010). Cashtags and list slugs are not reported.
 *
 * @example extractTextEntities('see example.com @bob #news').hashtags[0]?.tag // 'news'
 */
export function extractTextEntities(text: string): TextEntities {
  if (!MAY_HOLD_ENTITY.test(text)) return NONE
  const urls: UrlInText[] = []
  const mentions: MentionInText[] = []
  const hashtags: HashtagInText[] = []
  for (const e of twitterText.extractEntitiesWithIndices(text)) {
    const [start, end] = e.indices
    if ('url' in e && e.url !== undefined) urls.push({ url: e.url, start, end })
    else if ('hashtag' in e && e.hashtag !== undefined)
      hashtags.push({ tag: e.hashtag, start, end })
    else if (
      'screenName' in e &&
      e.screenName !== undefined &&
      !('listSlug' in e && e.listSlug !== '')
    )
      mentions.push({ username: e.screenName, start, end })
  }
  return { urls, mentions, hashtags }
}
