import { describe, expect, it } from 'vitest'
import { normalizedFile } from '../../test/support/normalized-corpus.js'
import { languageConfidence } from './language-augmenter.js'

describe('language augmenter on the real tweets (Twitter lang as the reference)', () => {
  const labelled: { lang: string; tag: string | undefined; confidence: number | undefined }[] = []
  for (const r of normalizedFile('twitter-v1-sample.jsonl.gz')) {
    const raw = JSON.parse(r.raw) as { lang?: string }
    if (r.outcome.kind !== 'interactions' || raw.lang === undefined || raw.lang === 'und') continue
    const i = r.outcome.interactions[0]
    // Twitter used "in" for Indonesian where ISO 639-1 says "id".
    labelled.push({
      lang: raw.lang === 'in' ? 'id' : raw.lang,
      tag: i?.language?.tag,
      confidence: i?.language?.confidence,
    })
  }

  it('agrees with Twitter on at least 94% of labelled tweets', () => {
    const agree = labelled.filter((l) => l.tag === l.lang).length
    expect(labelled.length).toBeGreaterThan(45_000)
    expect(agree / labelled.length).toBeGreaterThan(0.94)
  })

  it('means what it says: at confidence 80+ it agrees at least 97% of the time, below 60 far less', () => {
    const high = labelled.filter((l) => (l.confidence ?? 0) >= 80)
    const low = labelled.filter((l) => (l.confidence ?? 100) < 60)
    const rate = (xs: typeof labelled): number =>
      xs.filter((l) => l.tag === l.lang).length / xs.length
    expect(high.length / labelled.length).toBeGreaterThan(0.8)
    expect(rate(high)).toBeGreaterThan(0.97)
    expect(rate(low)).toBeLessThan(0.8)
  })

  it('maps reliability and margin to a confidence that grows with the margin', () => {
    let prev = -1
    for (let m = 0; m <= 0.5; m += 0.01) {
      const c = languageConfidence(true, m)
      expect(c).toBeGreaterThanOrEqual(prev)
      expect(c).toBeGreaterThan(languageConfidence(false, m))
      prev = c
    }
    expect(languageConfidence(true, 0.5)).toBeLessThanOrEqual(100)
    expect(languageConfidence(false, 0)).toBeGreaterThanOrEqual(0)
  })
})
