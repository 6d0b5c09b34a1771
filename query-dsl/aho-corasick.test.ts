import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AhoCorasick } from './aho-corasick.js'

function found(ac: AhoCorasick, text: string): number[] {
  const ids = new Set<number>()
  ac.scan(text, (id) => ids.add(id))
  return [...ids].sort((a, b) => a - b)
}

function naive(patterns: readonly string[], text: string): number[] {
  return patterns.flatMap((p, id) => (text.includes(p) ? [id] : []))
}

describe('AhoCorasick', () => {
  // A small alphabet makes overlaps, shared prefixes and failure chains common.
  const small = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'é', '😀'), maxLength: 40 })
  const pattern = fc.string({
    unit: fc.constantFrom('a', 'b', 'c', 'é', '😀'),
    minLength: 1,
    maxLength: 6,
  })

  it('finds exactly the patterns that occur, in dense and sparse form', () => {
    fc.assert(
      fc.property(fc.array(pattern, { minLength: 1, maxLength: 30 }), small, (patterns, text) => {
        const expected = naive(patterns, text)
        expect(found(new AhoCorasick(patterns), text)).toEqual(expected)
        expect(found(new AhoCorasick(patterns, { maxDenseCells: 0 }), text)).toEqual(expected)
      }),
      { numRuns: 2000 },
    )
  })

  it('handles patterns that are suffixes of one another', () => {
    const ac = new AhoCorasick(['he', 'she', 'his', 'hers'])
    expect(found(ac, 'ushers')).toEqual([0, 1, 3])
    expect(found(ac, 'nothing')).toEqual([])
  })
})
