import { describe, expect, it } from 'vitest'
import { normalizedFile } from '../../test/support/normalized-corpus.js'

type Raw = Record<string, any>

describe('facebook normalizer on the real Graph API samples', () => {
  it('turns each post into a post interaction and each nested comment into a comment interaction', () => {
    let nested = 0
    for (const r of normalizedFile('facebook-graph-posts-sample.jsonl.gz')) {
      const raw = JSON.parse(r.raw) as Raw
      expect(r.outcome.kind).toBe('interactions')
      if (r.outcome.kind !== 'interactions') continue
      const [post, ...comments] = r.outcome.interactions
      expect(post?.facebook?.id).toBe(raw['id'])
      expect(post?.facebook?.type).toBe(raw['type'])
      expect(post?.interaction?.raw_content).toBe(raw['message'] || undefined)
      expect(post?.interaction?.author?.name).toBe(raw['from'].name)
      expect(post?.interaction?.author?.id).toBe(BigInt(raw['from'].id))
      expect(post?.interaction?.created_at).toBe(
        Date.parse(raw['created_time'].replace('+0000', 'Z')),
      )
      expect(comments.map((c) => c.facebook?.id)).toEqual(
        (raw['comments']?.data ?? []).map((c: Raw) => c['id']),
      )
      for (const c of comments) {
        nested++
        expect(c.facebook?.type).toBe('comment')
        expect(c.facebook?.parent_id).toBe(raw['id'])
      }
      if (raw['likes'] !== undefined)
        expect(post?.facebook?.likes?.names?.length).toBeGreaterThan(0)
    }
    expect(nested).toBeGreaterThan(0)
  })

  it('reads comments with their like counts and message tags as text', () => {
    for (const r of normalizedFile('facebook-graph-comments-sample.jsonl.gz')) {
      const raw = JSON.parse(r.raw) as Raw
      if (r.outcome.kind !== 'interactions') throw new Error(`line ${r.line} did not normalize`)
      const [c] = r.outcome.interactions
      expect(c?.interaction?.subtype).toBe('comment')
      expect(c?.facebook?.likes?.count).toBe(raw['like_count'])
      expect(c?.facebook?.message).toBe(raw['message'] || undefined)
    }
  })
})
