import { describe, expect, it } from 'vitest'
import { normalizedFile } from '../../test/support/normalized-corpus.js'
import { dataLines } from '../../test/support/shared-data.js'
import { decodeHtmlEntities } from '../text/html-entities.js'
import type { Interaction } from '../interaction.js'
import { normalizeLine } from './normalize-record.js'

type Raw = Record<string, any>

interface Page {
  readonly raw: Raw
  readonly interactions: readonly Interaction[]
}

const pages: readonly Page[] = normalizedFile('twitter-v2-sample.jsonl.gz').map((r) => {
  if (r.outcome.kind !== 'interactions') throw new Error(`line ${r.line} did not normalize`)
  return { raw: JSON.parse(r.raw) as Raw, interactions: r.outcome.interactions }
})

function dataOf(raw: Raw): Raw[] {
  return Array.isArray(raw['data']) ? raw['data'] : [raw['data']]
}

describe('twitter v2 normalizer on the real sample', () => {
  it('emits one interaction per tweet in data (includes give context only), in order', () => {
    for (const { raw, interactions } of pages)
      expect(interactions.map((i) => i.twitter?.id)).toEqual(dataOf(raw).map((t) => t['id']))
  })

  it('expands the author, the replied-to user, places and media from includes', () => {
    let places = 0
    for (const { raw, interactions } of pages) {
      const users = new Map<string, Raw>(
        (raw['includes']?.users ?? []).map((u: Raw) => [u['id'], u]),
      )
      const byId = new Map<string, Raw>(
        (raw['includes']?.places ?? []).map((p: Raw) => [p['id'], p]),
      )
      dataOf(raw).forEach((t, n) => {
        const i = interactions[n]
        const author = users.get(t['author_id'])
        if (author !== undefined) {
          expect(i?.interaction?.author?.username).toBe(author['username'])
          expect(i?.interaction?.author?.id).toBe(BigInt(author['id']))
        }
        const place = t['geo']?.place_id === undefined ? undefined : byId.get(t['geo'].place_id)
        if (place !== undefined && i?.interaction?.subtype !== 'retweet') {
          places++
          expect(i?.twitter?.place?.full_name).toBe(place['full_name'])
          expect(i?.twitter?.place?.country_code).toBe(place['country_code'])
        }
        const replyUser = users.get(t['in_reply_to_user_id'])
        if (replyUser !== undefined && i?.interaction?.subtype !== 'retweet')
          expect(i?.twitter?.mentions).toContain(replyUser['username'])
      })
    }
    expect(places).toBeGreaterThan(5)
  })

  it("gives retweets the original's full text and author when the original is in includes", () => {
    let retweets = 0
    for (const { raw, interactions } of pages) {
      const tweets = new Map<string, Raw>(
        (raw['includes']?.tweets ?? []).map((t: Raw) => [t['id'], t]),
      )
      const users = new Map<string, Raw>(
        (raw['includes']?.users ?? []).map((u: Raw) => [u['id'], u]),
      )
      dataOf(raw).forEach((t, n) => {
        const ref = (t['referenced_tweets'] ?? []).find((r: Raw) => r['type'] === 'retweeted')
        if (ref === undefined) return
        const i = interactions[n]
        expect(i?.interaction?.subtype).toBe('retweet')
        expect(i?.twitter?.retweeted?.id).toBe(ref.id)
        const orig = tweets.get(ref.id)
        if (orig === undefined) return
        retweets++
        expect(i?.interaction?.raw_content).toBe(
          decodeHtmlEntities(orig['note_tweet']?.text ?? orig['text']),
        )
        const origAuthor = users.get(orig['author_id'])
        if (origAuthor !== undefined)
          expect(i?.twitter?.retweeted?.user?.screen_name).toBe(origAuthor['username'])
      })
    }
    expect(retweets).toBeGreaterThan(100)
  })

  it('keeps ids as exact strings and reads ISO creation times', () => {
    for (const { raw, interactions } of pages)
      dataOf(raw).forEach((t, n) => {
        expect(interactions[n]?.twitter?.id).toBe(t['id'])
        expect(interactions[n]?.interaction?.created_at).toBe(Date.parse(t['created_at']))
      })
  })

  it('reports compliance events and data-less pages as notices', () => {
    const compliance = dataLines('twitter-stream-noise.jsonl.gz').filter((l) =>
      l.includes('"action"'),
    )
    expect(compliance.length).toBeGreaterThan(0)
    for (const line of compliance) {
      const o = normalizeLine(line, 'twitter-v2')
      expect(o.kind === 'notice' && o.notice.kind).toBe('delete')
      expect(o.kind === 'notice' && o.notice.subjectId).toBe((JSON.parse(line) as Raw)['id'])
    }
    const errorsOnly = normalizeLine(
      '{"errors":[{"title":"Not Found Error"}],"__twarc":{}}',
      'auto',
    )
    expect(errorsOnly.kind === 'notice' && errorsOnly.notice.kind).toBe('api_errors')
  })

  it('reads the tweets of a page it can and reports the ones it cannot', () => {
    const line = JSON.stringify({
      data: [
        { id: '1', text: 'fine', created_at: '2021-09-22T16:38:35.000Z' },
        { id: '2', text: 'no date' },
      ],
    })
    const o = normalizeLine(line, 'auto')
    expect(o.kind).toBe('interactions')
    if (o.kind !== 'interactions') return
    expect(o.interactions.map((i) => i.twitter?.id)).toEqual(['1'])
    expect(o.rejected.map((e) => e.code)).toEqual(['missing_field'])
  })
})

describe('Gnip Activity Streams normalizer against the v1.1 form of the same 25 tweets', () => {
  const gnip = normalizedFile('twitter-gnip-activitystreams-sample.jsonl.gz').flatMap((r) =>
    r.outcome.kind === 'interactions' ? r.outcome.interactions : [],
  )
  const ids = new Set(gnip.map((i) => i.twitter?.id))
  const v1 = new Map<string, { i: Interaction; truncated: boolean }>()
  for (const r of normalizedFile('twitter-v1-sample.jsonl.gz')) {
    if (r.outcome.kind !== 'interactions') continue
    const i = r.outcome.interactions[0]
    if (i?.twitter?.id !== undefined && ids.has(i.twitter.id))
      v1.set(i.twitter.id, { i, truncated: (JSON.parse(r.raw) as Raw)['truncated'] === true })
  }

  it('finds all 25 in both files', () => {
    expect(gnip).toHaveLength(25)
    expect(v1.size).toBe(25)
  })

  it('gives the same interaction id, time, author, kind, place and links', () => {
    for (const g of gnip) {
      const v = v1.get(g.twitter?.id ?? '')?.i
      for (const pick of [
        (i: Interaction) => i.interaction?.id,
        (i: Interaction) => i.interaction?.subtype,
        (i: Interaction) => i.interaction?.created_at,
        (i: Interaction) => i.interaction?.author?.username,
        (i: Interaction) => i.interaction?.author?.id,
        (i: Interaction) => i.interaction?.geo,
        (i: Interaction) => i.interaction?.link,
        (i: Interaction) => i.twitter?.place?.full_name,
        (i: Interaction) => i.twitter?.place?.country_code,
        (i: Interaction) => i.twitter?.retweeted?.id,
        (i: Interaction) => i.twitter?.quoted?.id,
        (i: Interaction) => i.twitter?.in_reply_to_screen_name,
      ])
        expect(pick(g), `${g.twitter?.id} ${pick.toString()}`).toEqual(
          v === undefined ? 'missing' : pick(v),
        )
    }
  })

  it('gives the same stripped content where the v1.1 payload is not truncated', () => {
    let compared = 0
    for (const g of gnip) {
      const v = v1.get(g.twitter?.id ?? '')
      if (v === undefined || v.truncated || g.interaction?.subtype === 'retweet') continue
      compared++
      expect(g.interaction?.content).toBe(v.i.interaction?.content)
      expect(g.interaction?.hashtags).toEqual(v.i.interaction?.hashtags)
    }
    expect(compared).toBeGreaterThan(10)
  })
})
