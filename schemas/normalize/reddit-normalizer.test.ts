import { describe, expect, it } from 'vitest'
import { normalizedFile } from '../../test/support/normalized-corpus.js'
import { decodeHtmlEntities } from '../text/html-entities.js'
import type { Interaction } from '../interaction.js'
import { normalizeLine } from './normalize-record.js'

type Raw = Record<string, any>

const FILES = [
  'reddit-api-comments-sample.jsonl.gz',
  'reddit-api-submissions-sample.jsonl.gz',
  'reddit-pushshift-comments-sample.jsonl.gz',
  'reddit-pushshift-submissions-sample.jsonl.gz',
] as const

/** A comment and every comment nested in its `replies` listing. */
function tree(raw: Raw): Raw[] {
  const children: Raw[] = raw['replies']?.data?.children ?? []
  return [raw, ...children.filter((c) => c['kind'] === 't1').flatMap((c) => tree(c['data']))]
}

describe('reddit normalizer on the real API and pushshift samples', () => {
  it.each(FILES)('%s: one interaction per comment of each tree, with the source fields', (file) => {
    for (const r of normalizedFile(file)) {
      expect(r.outcome.kind).toBe('interactions')
      if (r.outcome.kind !== 'interactions') continue
      const expected = tree(JSON.parse(r.raw) as Raw)
      expect(new Set(r.outcome.interactions.map((i) => i.reddit?.id))).toEqual(
        new Set(expected.map((e) => e['id'])),
      )
      const byId = new Map<string, Interaction>(
        r.outcome.interactions.map((i) => [i.reddit?.id ?? '', i]),
      )
      for (const raw of expected) {
        const i = byId.get(raw['id'])
        const isComment = typeof raw['body'] === 'string'
        expect(i?.interaction?.type).toBe('reddit')
        expect(i?.interaction?.subtype).toBe(isComment ? 'comment' : 'post')
        expect(i?.interaction?.created_at).toBe(Math.round(Number(raw['created_utc']) * 1000))
        expect(i?.reddit?.subreddit).toBe(raw['subreddit'] || undefined)
        expect(i?.reddit?.score).toBe(raw['score'])
        const text = decodeHtmlEntities(raw[isComment ? 'body' : 'selftext'] ?? '')
        expect(i?.interaction?.raw_content).toBe(text === '' ? undefined : text)
        if (!isComment) expect(i?.interaction?.title).toBe(decodeHtmlEntities(raw['title']))
        if (raw['author'] === '[deleted]') expect(i?.interaction?.author?.username).toBeUndefined()
        else expect(i?.interaction?.author?.username).toBe(raw['author'])
        expect(i?.interaction?.link).toMatch(/^https:\/\/www\.reddit\.com\//)
      }
    }
  })

  it('decodes base-36 account ids and keeps link posts’ target URL in links', () => {
    const all = FILES.flatMap((f) => normalizedFile(f)).flatMap((r) =>
      r.outcome.kind === 'interactions' ? r.outcome.interactions : [],
    )
    const withId = all.filter((i) => i.interaction?.author?.id !== undefined)
    expect(withId.length).toBeGreaterThan(500)
    const linkPosts = all.filter((i) => i.reddit?.is_self === false)
    expect(linkPosts.length).toBeGreaterThan(100)
    for (const i of linkPosts)
      if (i.reddit?.url !== undefined) expect(i.links?.url).toContain(i.reddit.url)
  })

  it('reads pushshift-era created_utc given as a string', () => {
    const o = normalizeLine(
      '{"id":"c0abc","created_utc":"1134345600","subreddit":"reddit.com","link_id":"t3_x","body":"old"}',
      'reddit',
    )
    expect(o.kind === 'interactions' && o.interactions[0]?.interaction?.created_at).toBe(
      1134345600000,
    )
  })

  it('refuses a record without a readable created_utc, naming the field', () => {
    const o = normalizeLine(
      '{"id":"c0abc","created_utc":"yesterday","subreddit":"x","body":"old"}',
      'reddit',
    )
    expect(o.kind === 'malformed' && o.error).toMatchObject({
      code: 'invalid_field',
      field: 'created_utc',
    })
  })
})
