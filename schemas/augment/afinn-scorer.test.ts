import Sentiment from 'sentiment'
import { describe, expect, it } from 'vitest'
import { interactionsOf } from '../../test/support/normalized-corpus.js'
import { afinnScore } from './afinn-scorer.js'

const reference = new Sentiment()

describe('AFINN scorer', () => {
  it('scores every real text exactly as the sentiment package does', () => {
    const texts = [
      'twitter-v1-sample.jsonl.gz',
      'reddit-api-comments-sample.jsonl.gz',
      'reddit-api-submissions-sample.jsonl.gz',
      'facebook-graph-comments-sample.jsonl.gz',
    ].flatMap((f) => interactionsOf(f).map((i) => i.interaction?.raw_content ?? ''))
    const differing = texts.filter((t) => afinnScore(t) !== reference.analyze(t).score)
    expect(differing).toEqual([])
    expect(texts.length).toBeGreaterThan(60_000)
  })

  it.each([
    'not bad at all',
    "I don't like this. Not good!",
    'a\tgood\tday',
    'good\t\tday',
    ' \tgreat ',
    'love 😍 it 😡',
    'HAPPY!!!happy',
    'cant stand it, cant wait',
    '',
  ])('matches the package on %j', (text) => {
    expect(afinnScore(text)).toBe(reference.analyze(text).score)
  })

  it('negates a word after a negator', () => {
    expect(afinnScore('good')).toBeGreaterThan(0)
    expect(afinnScore('not good')).toBe(-afinnScore('good'))
  })
})
