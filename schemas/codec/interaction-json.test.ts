import { describe, expect, it } from 'vitest'
import { interactionsOf } from '../../test/support/normalized-corpus.js'
import type { Interaction } from '../interaction.js'
import { decodeInteraction, encodeInteraction } from './interaction-json.js'

const FILES = [
  'twitter-v1-sample.jsonl.gz',
  'twitter-v2-sample.jsonl.gz',
  'reddit-api-comments-sample.jsonl.gz',
  'facebook-graph-posts-sample.jsonl.gz',
  'foursquare-checkins-sample.jsonl.gz',
] as const

/** The interaction without undefined leaves or empty branches: what JSON can carry. */
function pruned(value: unknown): unknown {
  if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value))
    return value
  if ('latitude' in value) return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    const p = pruned(v)
    if (
      p !== undefined &&
      !(typeof p === 'object' && p !== null && !Array.isArray(p) && Object.keys(p).length === 0)
    )
      out[k] = p
  }
  return out
}

describe('interaction JSON codec', () => {
  it.each(FILES)('round-trips every real interaction of %s exactly', (file) => {
    const all = interactionsOf(file)
    all.forEach((i, n) => {
      const line = encodeInteraction(i)
      const decoded = decodeInteraction(JSON.parse(line))
      if (!decoded.ok) throw new Error(`${file} #${n}: ${JSON.stringify(decoded.violations)}`)
      // The encoding is canonical (schema order), so equal lines mean nothing was lost...
      expect(encodeInteraction(decoded.interaction)).toBe(line)
      // ...and the decoded values have their in-memory types (bigint, epoch ms), checked in full on a sample.
      if (n % 50 === 0) expect(pruned(decoded.interaction)).toEqual(pruned(i))
    })
  })

  it('writes longs as exact decimal strings and timestamps as ISO-8601', () => {
    const i: Interaction = {
      interaction: { created_at: Date.UTC(2020, 0, 30, 18, 7, 29) },
      twitter: { user: { id: 1222944438181335041n } },
    }
    expect(encodeInteraction(i)).toBe(
      '{"interaction":{"created_at":"2020-01-30T18:07:29.000Z"},"twitter":{"user":{"id":"1222944438181335041"}}}',
    )
  })

  it('writes keys in schema order and leaves out absent targets and foreign keys', () => {
    const i = {
      twitter: { lang: 'en', id: '5', nope: 1 },
      interaction: { type: 'twitter', content: undefined },
    } as unknown as Interaction
    expect(encodeInteraction(i)).toBe(
      '{"interaction":{"type":"twitter"},"twitter":{"id":"5","lang":"en"}}',
    )
  })

  it('accepts numbers for longs and epoch milliseconds for timestamps', () => {
    const d = decodeInteraction({
      twitter: { user: { id: 783214 } },
      interaction: { created_at: 0 },
    })
    expect(d).toEqual({
      ok: true,
      interaction: { twitter: { user: { id: 783214n } }, interaction: { created_at: 0 } },
    })
  })

  it('reports every violation with its path', () => {
    const d = decodeInteraction({
      interaction: { sample: 'high', geo: { latitude: 95, longitude: 0 }, bogus: 1 },
      twitter: { mention_ids: ['1', 'x'] },
      links: 'nope',
    })
    expect(d.ok).toBe(false)
    if (d.ok) return
    expect(d.violations.map((v) => v.path).sort()).toEqual([
      'interaction.bogus',
      'interaction.geo',
      'interaction.sample',
      'links',
      'twitter.mention_ids',
    ])
  })
})
