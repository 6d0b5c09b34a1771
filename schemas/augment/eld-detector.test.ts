import { eld } from 'eld/large'
import { describe, expect, it } from 'vitest'
import { interactionsOf } from '../../test/support/normalized-corpus.js'
import { createEldDetector } from './eld-detector.js'
import { loadEldModel } from './eld-model.js'

const detector = createEldDetector(loadEldModel('large'))

const realTexts: readonly string[] = [
  'twitter-v1-sample.jsonl.gz',
  'twitter-v2-sample.jsonl.gz',
  'reddit-api-comments-sample.jsonl.gz',
  'reddit-api-submissions-sample.jsonl.gz',
  'facebook-graph-comments-sample.jsonl.gz',
].flatMap((f) => interactionsOf(f).map((i) => i.interaction?.content ?? i.interaction?.title ?? ''))

const crafted = [
  '',
  '😀😀😀',
  'x',
  "don't stop 'quoted' rock’n’roll",
  `${'a'.repeat(100)} hello world`,
  `${'ü'.repeat(80)} über alles`,
  'İstanbul büyük bir şehir',
  '東京は日本の首都です',
  'Привет, как дела?',
  `${'word '.repeat(400)}end`,
]

describe('ELD detection over the packed model', () => {
  it('gives the same language and scores as the eld package on every real text and edge case', () => {
    const problems: string[] = []
    for (const text of [...realTexts, ...crafted]) {
      const ours = detector.detect(text)
      const theirs = eld.detect(text)
      if ((ours?.language ?? '') !== theirs.language)
        problems.push(`language of ${JSON.stringify(text.slice(0, 60))}`)
      if (ours === undefined || theirs.language === '') continue
      const scores = Object.values(theirs.getScores())
      if (
        Math.abs((scores[0] ?? 0) - ours.score) > 1e-12 ||
        Math.abs((scores[1] ?? 0) - ours.runnerUpScore) > 1e-12
      )
        problems.push(`scores of ${JSON.stringify(text.slice(0, 60))}`)
      // ELD 2.1 compares against the runner-up's language index instead of its score; outside
      // near-ties the two readings agree.
      if (ours.score - ours.runnerUpScore >= 0.01 && ours.reliable !== theirs.isReliable())
        problems.push(`reliability of ${JSON.stringify(text.slice(0, 60))}`)
    }
    expect(problems).toEqual([])
    expect(realTexts.length).toBeGreaterThan(60_000)
  })

  it('flags near-ties as unreliable', () => {
    for (const text of realTexts.slice(0, 5000)) {
      const v = detector.detect(text)
      if (v !== undefined && v.score - v.runnerUpScore < 0.01) expect(v.reliable).toBe(false)
    }
  })

  it('detects common languages', () => {
    expect(detector.detect('Hola, ¿cómo estás? Espero que todo vaya bien en casa.')?.language).toBe(
      'es',
    )
    expect(
      detector.detect('The weather is lovely today and we are going to the park.')?.language,
    ).toBe('en')
    expect(detector.detect('東京は日本の首都です')?.language).toBe('ja')
    expect(detector.detect('😀😀😀')).toBeUndefined()
  })
})
