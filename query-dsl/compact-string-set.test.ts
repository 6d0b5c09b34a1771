import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CompactStringSet } from './compact-string-set.js'

/** What the small-list path does: split, trim, skip empties, keep each item once. */
function reference(text: string): Set<string> {
  return new Set(
    text
      .split(',')
      .map((i) => i.trim())
      .filter((i) => i !== ''),
  )
}

describe('CompactStringSet', () => {
  const unit = fc.constantFrom('a', 'b', 'é', ' ', '\u00a0', '\u3000', ',', '日', '😀', 'A')
  const list = fc.string({ unit, maxLength: 60 })

  it('holds exactly the trimmed, non-empty, distinct items of a list', () => {
    fc.assert(
      fc.property(
        list,
        fc.array(fc.string({ unit, maxLength: 4 }), { maxLength: 10 }),
        (text, probes) => {
          const set = new CompactStringSet(text)
          const expected = reference(text)
          expect(set.size).toBe(expected.size)
          expect(new Set(set.values())).toEqual(expected)
          for (const item of expected) expect(set.has(item)).toBe(true)
          for (const p of probes) expect(set.has(p)).toBe(expected.has(p))
        },
      ),
      { numRuns: 3000 },
    )
  })

  it('holds a million names and finds them without slicing', () => {
    const names = Array.from({ length: 1_000_000 }, (_, k) => `user_${k}`)
    const set = new CompactStringSet(names.join(', '))
    expect(set.size).toBe(1_000_000)
    expect(set.has('user_0') && set.has('user_999999') && set.has('user_123456')).toBe(true)
    expect(set.has('user_1000000') || set.has('user_') || set.has(' user_1')).toBe(false)
  })
})
