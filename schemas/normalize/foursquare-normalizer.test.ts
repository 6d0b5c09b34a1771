import { describe, expect, it } from 'vitest'
import { normalizedFile } from '../../test/support/normalized-corpus.js'
import { normalizeLine } from './normalize-record.js'

type Raw = Record<string, any>

describe('foursquare normalizer on the real check-ins', () => {
  it('places each check-in at its venue and keeps who, where and what was said', () => {
    let located = 0
    for (const r of normalizedFile('foursquare-checkins-sample.jsonl.gz')) {
      const raw = JSON.parse(r.raw) as Raw
      if (r.outcome.kind !== 'interactions') throw new Error(`line ${r.line} did not normalize`)
      const [i] = r.outcome.interactions
      expect(i?.interaction?.created_at).toBe(raw['createdAt'] * 1000)
      expect(i?.foursquare?.venue?.name).toBe(raw['venue']?.name)
      expect(i?.interaction?.raw_content).toBe(raw['shout'] || undefined)
      const loc = raw['venue']?.location
      if (loc?.lat !== undefined) {
        located++
        expect(i?.interaction?.geo).toEqual({ latitude: loc.lat, longitude: loc.lng })
      }
      if (raw['user'] !== undefined) expect(i?.interaction?.author?.id).toBe(BigInt(raw['user'].id))
      else expect(i?.interaction?.author?.id).toBeUndefined()
    }
    expect(located).toBeGreaterThan(90)
  })

  it('builds the avatar of newer payloads from prefix and suffix', () => {
    const line = JSON.stringify({
      id: 'c1',
      type: 'checkin',
      createdAt: 1400000000,
      user: { id: '7', firstName: 'Ana', photo: { prefix: 'https://img/', suffix: '/a.jpg' } },
    })
    const o = normalizeLine(line, 'foursquare')
    expect(o.kind === 'interactions' && o.interactions[0]?.interaction?.author?.avatar).toBe(
      'https://img/original/a.jpg',
    )
  })
})
