import { describe, expect, it } from 'vitest'
import { normalizedFile } from '../../test/support/normalized-corpus.js'
import { decodeHtmlEntities } from '../text/html-entities.js'
import type { Interaction } from '../interaction.js'
import { normalizeLine } from './normalize-record.js'
import { parseTwitterDate } from './parse-time.js'

const FILE = 'twitter-v1-sample.jsonl.gz'

interface Pair {
  readonly raw: Record<string, any>
  readonly i: Interaction
}

// Every tweet of the real v1.1 sample next to the interaction it became.
const pairs: readonly Pair[] = normalizedFile(FILE).map((r) => {
  if (r.outcome.kind !== 'interactions') throw new Error(`line ${r.line} did not normalize`)
  const [i] = r.outcome.interactions
  if (i === undefined) throw new Error(`line ${r.line} gave no interaction`)
  return { raw: JSON.parse(r.raw) as Record<string, unknown>, i }
})

function fullText(tweet: Record<string, any>): string {
  return tweet['extended_tweet']?.full_text ?? tweet['full_text'] ?? tweet['text']
}

describe('twitter v1.1 normalizer on the real sample', () => {
  it('keeps the tweet id exactly (as a string; most exceed 2^53) and the creation time', () => {
    let above53 = 0
    for (const { raw, i } of pairs) {
      const id = raw['id_str'] ?? String(raw['id'])
      expect(i.twitter?.id).toBe(id)
      if (BigInt(id) > 2n ** 53n) above53++
      expect(i.interaction?.created_at).toBe(Date.parse(raw['created_at']))
      expect(i.interaction?.type).toBe('twitter')
    }
    expect(above53).toBeGreaterThan(40_000)
  })

  it('puts the retweeter in interaction.author and twitter.retweet.user, the original author in twitter.retweeted.user', () => {
    const retweets = pairs.filter((p) => p.raw['retweeted_status'] !== undefined)
    expect(retweets.length).toBeGreaterThan(2000)
    for (const { raw, i } of retweets) {
      const orig = raw['retweeted_status']
      expect(i.interaction?.subtype).toBe('retweet')
      expect(i.interaction?.author?.username).toBe(raw['user'].screen_name)
      expect(i.twitter?.retweet?.user?.screen_name).toBe(raw['user'].screen_name)
      expect(i.twitter?.retweeted?.user?.screen_name).toBe(orig.user.screen_name)
      expect(i.twitter?.retweeted?.user?.id).toBe(BigInt(orig.user.id_str ?? orig.user.id))
      expect(i.twitter?.retweeted?.id).toBe(orig.id_str ?? String(orig.id))
      expect(i.interaction?.raw_content).toBe(decodeHtmlEntities(fullText(orig)))
      // As on DataSift, a retweet's own text and poster live under twitter.retweet.
      expect(i.twitter?.text).toBeUndefined()
      expect(i.twitter?.user).toBeUndefined()
      expect(i.twitter?.retweet?.elapsed).toBeGreaterThanOrEqual(0)
    }
  })

  it('gives every geo-tagged tweet interaction.geo, latitude first', () => {
    const tagged = pairs.filter((p) => p.raw['coordinates'] != null)
    expect(tagged.length).toBeGreaterThan(700)
    for (const { raw, i } of tagged) {
      const [lon, lat] = raw['coordinates'].coordinates as [number, number]
      expect(i.interaction?.geo).toEqual({ latitude: lat, longitude: lon })
      expect(i.twitter?.geo).toEqual({ latitude: lat, longitude: lon })
    }
    const untagged = pairs.filter((p) => p.raw['coordinates'] == null && p.raw['geo'] == null)
    for (const { i } of untagged) expect(i.interaction?.geo).toBeUndefined()
  })

  it('maps the place of place-tagged tweets', () => {
    const placed = pairs.filter(
      (p) => p.raw['place'] != null && p.raw['retweeted_status'] === undefined,
    )
    expect(placed.length).toBeGreaterThan(1000)
    for (const { raw, i } of placed) {
      expect(i.twitter?.place?.country_code).toBe(raw['place'].country_code || undefined)
      expect(i.twitter?.place?.full_name).toBe(raw['place'].full_name || undefined)
    }
  })

  it('reads extended_tweet.full_text in compatibility mode', () => {
    const extended = pairs.filter(
      (p) => p.raw['extended_tweet'] !== undefined && p.raw['retweeted_status'] === undefined,
    )
    expect(extended.length).toBeGreaterThan(100)
    for (const { raw, i } of extended) {
      expect(i.interaction?.raw_content).toBe(decodeHtmlEntities(raw['extended_tweet'].full_text))
      expect(i.interaction?.raw_content?.length).toBeGreaterThan(
        decodeHtmlEntities(raw['text']).length - 30,
      )
    }
  })

  it("carries Twitter's entities: hashtags, mentions (with ids and the replied-to user), expanded links", () => {
    const problems: string[] = []
    let checked = 0
    for (const { raw, i } of pairs) {
      if (raw['retweeted_status'] !== undefined || raw['entities'] === undefined) continue
      const src = raw['extended_tweet'] ?? raw
      const hashtags = new Set(i.twitter?.hashtags)
      const mentions = new Set(i.twitter?.mentions)
      const common = new Set(i.interaction?.mentions)
      const ids = new Set(i.twitter?.mention_ids)
      const links = new Set(i.twitter?.links)
      for (const h of src.entities.hashtags)
        if (!hashtags.has(h.text)) problems.push(`${raw['id_str']}: hashtag ${h.text}`)
      for (const m of src.entities.user_mentions) {
        checked++
        if (!mentions.has(m.screen_name) || !common.has(m.screen_name))
          problems.push(`${raw['id_str']}: mention ${m.screen_name}`)
        if (m.id_str && !ids.has(BigInt(m.id_str)))
          problems.push(`${raw['id_str']}: mention id ${m.id_str}`)
      }
      if (raw['in_reply_to_screen_name'] && !mentions.has(raw['in_reply_to_screen_name']))
        problems.push(`${raw['id_str']}: reply mention`)
      for (const u of src.entities.urls)
        if (
          u.expanded_url &&
          !u.expanded_url.includes('twitter.com/i/web/status/') &&
          !links.has(u.expanded_url)
        )
          problems.push(`${raw['id_str']}: link ${u.expanded_url}`)
    }
    expect(problems).toEqual([])
    expect(checked).toBeGreaterThan(40_000)
  })

  it('strips links, media links and @mentions from content and twitter.text, keeping them in raw_content', () => {
    const problems: string[] = []
    let checked = 0
    for (const { raw, i } of pairs) {
      if (raw['retweeted_status'] !== undefined || raw['entities'] === undefined) continue
      const src = raw['extended_tweet'] ?? raw
      const content = i.interaction?.content ?? ''
      const rawContent = i.interaction?.raw_content ?? ''
      if (i.twitter?.text !== content)
        problems.push(`${raw['id_str']}: twitter.text differs from content`)
      for (const u of [...src.entities.urls, ...(src.entities.media ?? [])]) {
        // A handful of withheld-tweet notices carry an entity whose URL is not in the text.
        if (!rawContent.includes(u.url)) continue
        checked++
        if (content.includes(u.url)) problems.push(`${raw['id_str']}: ${u.url} left in content`)
      }
      const lower = `${content.toLowerCase()} `
      const rawLower = rawContent.toLowerCase()
      for (const m of src.entities.user_mentions) {
        const at = `@${m.screen_name.toLowerCase()}`
        // "…!!!@name" is not a mention for Twitter either, so only a single occurrence is checked.
        if (rawLower.indexOf(at) !== rawLower.lastIndexOf(at)) continue
        if (lower.includes(`${at} `))
          problems.push(`${raw['id_str']}: @${m.screen_name} left in content`)
      }
      // Text is HTML-escaped once by Twitter; a user who typed "&amp;" keeps it after decoding.
      if (/&(amp|lt|gt);/.test(content) && !/&amp;(amp|lt|gt);/.test(src.full_text ?? src.text))
        problems.push(`${raw['id_str']}: HTML entity left in content`)
    }
    expect(problems).toEqual([])
    expect(checked).toBeGreaterThan(20_000)
  })

  it('hides the reply prefix outside display_text_range', () => {
    const hidden = pairs.filter(
      (p) => Array.isArray(p.raw['display_text_range']) && p.raw['display_text_range'][0] > 0,
    )
    expect(hidden.length).toBeGreaterThan(0)
    for (const { i } of hidden) expect(i.interaction?.content?.startsWith('@')).toBe(false)
  })

  it('marks replies and quotes, and keeps the quoted tweet', () => {
    for (const { raw, i } of pairs) {
      if (raw['retweeted_status'] !== undefined) continue
      if (raw['in_reply_to_status_id_str']) {
        expect(i.interaction?.subtype).toBe('reply')
        expect(i.twitter?.in_reply_to_status_id).toBe(raw['in_reply_to_status_id_str'])
      }
      if (raw['quoted_status']) {
        expect(i.twitter?.quoted?.id).toBe(raw['quoted_status'].id_str)
        expect(i.twitter?.quoted?.user?.screen_name).toBe(raw['quoted_status'].user.screen_name)
      }
    }
  })

  it('reads pre-2010 tweets without id_str or entities, extracting their entities with twitter-text', () => {
    const old = pairs.filter((p) => p.raw['id_str'] === undefined)
    expect(old.length).toBeGreaterThan(50)
    for (const { raw, i } of old) expect(i.twitter?.id).toBe(String(raw['id']))
    const withHashtag = pairs.find(
      (p) => p.raw['entities'] === undefined && /(^|\s)#[A-Za-z]\w+/.test(p.raw['text']),
    )
    expect(withHashtag?.i.twitter?.hashtags?.length).toBeGreaterThan(0)
  })

  it('derives the application name, profile age and follower ratio', () => {
    for (const { raw, i } of pairs.slice(0, 5000)) {
      const user = i.twitter?.user ?? i.twitter?.retweet?.user
      expect(i.interaction?.source ?? '').not.toMatch(/</)
      if (
        user?.friends_count !== undefined &&
        user.friends_count > 0 &&
        user.followers_count !== undefined
      )
        expect(user.follower_ratio).toBeCloseTo(user.followers_count / user.friends_count)
      const created = parseTwitterDate(raw['user'].created_at)
      if (created !== undefined && user?.profile_age !== undefined)
        expect(user.profile_age).toBe(
          Math.floor((Date.parse(raw['created_at']) - created) / (365.2425 * 86_400_000)),
        )
    }
  })
})

describe('twitter v1.1 normalizer on crafted edge cases', () => {
  it('refuses a tweet whose id is over 2^53 without id_str, with the reason', () => {
    const o = normalizeLine(
      '{"created_at":"Sat Dec 19 16:01:35 +0000 2009","id":1222944438181335040,"text":"x","user":{"screen_name":"a"}}',
      'twitter-v1',
    )
    expect(o.kind).toBe('malformed')
    if (o.kind === 'malformed')
      expect(o.error).toMatchObject({ code: 'invalid_field', field: 'id' })
  })

  it('refuses a tweet without a user, naming the field', () => {
    const o = normalizeLine(
      '{"created_at":"Sat Dec 19 16:01:35 +0000 2009","id_str":"5","text":"x"}',
      'twitter-v1',
    )
    expect(o.kind === 'malformed' && o.error.field).toBe('user')
  })

  it('counts entity offsets in code points, so emoji before a link do not shift the cut', () => {
    const text = '😀😀 hi @bob see https://t.co/abc'
    const line = JSON.stringify({
      created_at: 'Sat Dec 19 16:01:35 +0000 2009',
      id_str: '7',
      text,
      user: { screen_name: 'al', id_str: '1' },
      entities: {
        hashtags: [],
        user_mentions: [{ screen_name: 'bob', id_str: '2', indices: [6, 10] }],
        urls: [
          { url: 'https://t.co/abc', expanded_url: 'https://example.org/x', indices: [15, 31] },
        ],
      },
    })
    const o = normalizeLine(line, 'twitter-v1')
    expect(o.kind).toBe('interactions')
    if (o.kind !== 'interactions') return
    expect(o.interactions[0]?.interaction?.content).toBe('😀😀 hi  see')
    expect(o.interactions[0]?.links?.url).toEqual(['https://example.org/x'])
  })
})
