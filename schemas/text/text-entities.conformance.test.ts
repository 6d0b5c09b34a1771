import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { sharedDataDir } from '../../test/support/shared-data.js'
import { extractTextEntities } from './text-entities.js'

/*
 * twitter-text's conformance suite (../shared/data/conformance/extract.yml), read at test time
 * as upstream asks. Indices in the suite count code points; Sluice's spans are UTF-16 offsets.
 */

interface Case<E> {
  readonly description: string
  readonly text: string
  readonly expected: E
}
type Indices = readonly [number, number]

const suite = parse(readFileSync(join(sharedDataDir(), 'conformance', 'extract.yml'), 'utf8')) as {
  tests: Record<string, readonly Case<unknown>[]>
}

function section<E>(name: string): readonly Case<E>[] {
  const cases = suite.tests[name]
  if (cases === undefined || cases.length === 0)
    throw new Error(`conformance section ${name} is missing`)
  return cases as readonly Case<E>[]
}

function codePoints(text: string, start: number, end: number): Indices {
  const before = [...text.slice(0, start)].length
  return [before, before + [...text.slice(start, end)].length]
}

// Sections of extract.yml for APIs Sluice does not expose; every other section is run below.
const NOT_EXPOSED = new Set(['replies', 'cashtags', 'cashtags_with_indices'])
const RUN = new Set([
  'mentions',
  'mentions_with_indices',
  'mentions_or_lists_with_indices',
  'urls',
  'urls_with_indices',
  'urls_with_directional_markers',
  'tco_urls_with_params',
  'hashtags',
  'hashtags_from_astral',
  'hashtags_with_indices',
])

describe('twitter-text conformance: extract.yml', () => {
  it('covers every section of the suite (run, or an API Sluice does not expose)', () => {
    expect(Object.keys(suite.tests).filter((s) => !RUN.has(s) && !NOT_EXPOSED.has(s))).toEqual([])
  })

  it.each(section<string[]>('mentions'))('mentions: $description', (c) => {
    expect(extractTextEntities(c.text).mentions.map((m) => m.username)).toEqual(c.expected)
  })

  it.each(section<{ screen_name: string; indices: Indices }[]>('mentions_with_indices'))(
    'mentions with indices: $description',
    (c) => {
      const got = extractTextEntities(c.text).mentions.map((m) => ({
        screen_name: m.username,
        indices: codePoints(c.text, m.start, m.end),
      }))
      expect(got).toEqual(c.expected)
    },
  )

  it.each(
    section<{ screen_name: string; list_slug: string; indices: Indices }[]>(
      'mentions_or_lists_with_indices',
    ),
  )('list references are not mentions: $description', (c) => {
    const got = extractTextEntities(c.text).mentions.map((m) => ({
      screen_name: m.username,
      indices: codePoints(c.text, m.start, m.end),
    }))
    const plainMentions = c.expected
      .filter((e) => e.list_slug === '')
      .map((e) => ({ screen_name: e.screen_name, indices: e.indices }))
    expect(got).toEqual(plainMentions)
  })

  it.each([...section<string[]>('urls'), ...section<string[]>('tco_urls_with_params')])(
    'urls: $description',
    (c) => {
      expect(extractTextEntities(c.text).urls.map((u) => u.url)).toEqual(c.expected)
    },
  )

  it.each([
    ...section<{ url: string; indices: Indices }[]>('urls_with_indices'),
    ...section<{ url: string; indices: Indices }[]>('urls_with_directional_markers'),
  ])('urls with indices: $description', (c) => {
    const got = extractTextEntities(c.text).urls.map((u) => ({
      url: u.url,
      indices: codePoints(c.text, u.start, u.end),
    }))
    expect(got).toEqual(c.expected)
  })

  it.each([...section<string[]>('hashtags'), ...section<string[]>('hashtags_from_astral')])(
    'hashtags: $description',
    (c) => {
      expect(extractTextEntities(c.text).hashtags.map((h) => h.tag)).toEqual(c.expected)
    },
  )

  it.each(section<{ hashtag: string; indices: Indices }[]>('hashtags_with_indices'))(
    'hashtags with indices: $description',
    (c) => {
      const got = extractTextEntities(c.text).hashtags.map((h) => ({
        hashtag: h.tag,
        indices: codePoints(c.text, h.start, h.end),
      }))
      expect(got).toEqual(c.expected)
    },
  )
})
