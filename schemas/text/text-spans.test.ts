import { describe, expect, it } from 'vitest'
import { removeSpans, toUtf16Offsets } from './text-spans.js'

describe('toUtf16Offsets', () => {
  it('is the identity on text without astral characters', () => {
    expect(toUtf16Offsets('abc def', [0, 3, 4, 7])).toEqual([0, 3, 4, 7])
  })

  it('shifts offsets past astral characters, in any order', () => {
    expect(toUtf16Offsets('😀 #a 😀 b', [7, 2, 4])).toEqual([9, 3, 5])
  })

  it('clamps offsets past the end', () => {
    expect(toUtf16Offsets('😀x', [5])).toEqual([3])
  })
})

describe('removeSpans', () => {
  it('cuts unsorted, overlapping spans and trims', () => {
    expect(
      removeSpans(' a @b c http://x d ', [
        { start: 8, end: 16 },
        { start: 3, end: 5 },
        { start: 4, end: 6 },
      ]),
    ).toBe('a c  d')
  })
})
