import { describe, expect, it } from 'vitest'
import { TARGETS } from '../targets/all-targets.js'
import { CSDL_OPERATORS, type CsdlOperator } from './csdl-operators.js'
import { TARGET_CATALOG } from './target-catalog.js'

function ops(path: string): ReadonlySet<CsdlOperator> {
  const e = TARGET_CATALOG.get(path)
  if (e === undefined) throw new Error(`no target ${path}`)
  return e.operators
}

describe('the CSDL target catalog (csdl.md §13)', () => {
  it('has one entry per schema target, each allowing exists', () => {
    expect(TARGET_CATALOG.size).toBe(TARGETS.length)
    for (const e of TARGET_CATALOG.values()) expect(e.operators.has('exists')).toBe(true)
  })

  it('allows the text operators on strings and string arrays only', () => {
    for (const op of [
      'contains',
      'contains_any',
      'contains_all',
      'contains_near',
      'wildcard',
      'substr',
      'regex_partial',
      'regex_exact',
    ] as const) {
      expect(ops('interaction.content').has(op)).toBe(true)
      expect(ops('interaction.hashtags').has(op)).toBe(true)
      expect(ops('twitter.user.followers_count').has(op)).toBe(false)
      expect(ops('interaction.geo').has(op)).toBe(false)
      expect(ops('twitter.mention_ids').has(op)).toBe(false)
    }
  })

  it('allows url_in on URL-valued targets only', () => {
    expect(ops('links.url').has('url_in')).toBe(true)
    expect(ops('interaction.link').has('url_in')).toBe(true)
    expect(ops('links.domain').has('url_in')).toBe(false)
    expect(ops('interaction.content').has('url_in')).toBe(false)
  })

  it('allows geo operators on geo targets only, and nothing else there', () => {
    expect([...ops('interaction.geo')].sort()).toEqual([
      'exists',
      'geo_box',
      'geo_polygon',
      'geo_radius',
    ])
    for (const e of TARGET_CATALOG.values())
      if (e.csdlType !== 'geo') expect(e.operators.has('geo_radius')).toBe(false)
  })

  it('allows in on strings and integers but not floats (floats are forbidden in in-lists)', () => {
    expect(ops('language.tag').has('in')).toBe(true)
    expect(ops('twitter.user.id').has('in')).toBe(true)
    expect(ops('interaction.sample').has('in')).toBe(false)
    expect(ops('interaction.sample').has('<')).toBe(true)
  })

  it('marks the text targets that hide links and mentions', () => {
    const stripped = [...TARGET_CATALOG.values()]
      .filter((e) => e.stripsLinksAndMentions)
      .map((e) => e.path)
    expect(stripped).toEqual(
      expect.arrayContaining(['interaction.content', 'twitter.text', 'twitter.retweet.text']),
    )
    expect(stripped).not.toContain('interaction.raw_content')
  })

  it('only uses known operators', () => {
    for (const e of TARGET_CATALOG.values())
      for (const op of e.operators) expect(CSDL_OPERATORS).toContain(op)
  })
})
