import { describe, expect, it } from 'vitest'
import { interactionsOf } from '../../test/support/normalized-corpus.js'
import { firstNameOf, genderAugmenter, genderOfName } from './gender-augmenter.js'

describe('gender from first names', () => {
  it('finds the first name of a display name, skipping honorifics and symbols', () => {
    expect(firstNameOf('Dr. Jane Doe 🌸')).toBe('jane')
    expect(firstNameOf('  ✨María José✨')).toBe('maría')
    expect(firstNameOf('World Health Organization (WHO)')).toBe('world')
    expect(firstNameOf('🙂 123')).toBeUndefined()
    expect(firstNameOf('J. Smith')).toBeUndefined()
  })

  it('classifies by how the language lists vote', () => {
    expect(genderOfName('john')).toBe('male')
    expect(genderOfName('mary')).toBe('female')
    expect(genderOfName('zzzqx')).toBeUndefined()
    // Andrea: female in the English and German lists, male in the Italian, Spanish and French ones.
    const andrea = genderOfName('andrea')
    expect(['mostly_male', 'mostly_female', 'unisex']).toContain(andrea)
  })

  it('breaks a tie with the post language', () => {
    let tie: string | undefined
    // Find a real tie in the lists rather than assume one.
    for (const name of [
      'jean',
      'andrea',
      'dominique',
      'camille',
      'sasha',
      'alex',
      'kim',
      'maria',
      'nicola',
      'simone',
    ]) {
      if (genderOfName(name) === 'unisex') tie = name
    }
    expect(tie).toBeDefined()
    if (tie === undefined) return
    const hinted = ['en', 'de', 'es', 'fr', 'it', 'tr'].map((l) => genderOfName(tie, l))
    expect(hinted.some((g) => g === 'mostly_male' || g === 'mostly_female')).toBe(true)
  })

  it('sets demographic.gender on a good share of named real authors, and only there', () => {
    const tweets = interactionsOf('twitter-v1-sample.jsonl.gz')
    const withGender = tweets.filter((i) => i.demographic?.gender !== undefined)
    expect(withGender.length / tweets.length).toBeGreaterThan(0.2)
    for (const i of interactionsOf('reddit-api-comments-sample.jsonl.gz'))
      expect(i.demographic).toBeUndefined()
    const i = { interaction: { author: { name: 'Emily Watson' } } }
    genderAugmenter(i)
    expect(i).toMatchObject({ demographic: { gender: 'female' } })
  })
})
