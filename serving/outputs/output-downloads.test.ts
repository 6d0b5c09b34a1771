import { describe, expect, it } from 'vitest'
import { parseRange } from './output-downloads.js'

describe('parseRange (RFC 9110 §14.1.2)', () => {
  it('reads a first-last, an open-ended and a suffix range', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 10 })
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 100 })
    expect(parseRange('bytes=95-200', 100)).toEqual({ start: 95, end: 100 })
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 100 })
    expect(parseRange('bytes=-500', 100)).toEqual({ start: 0, end: 100 })
  })

  it('ignores a range that is not valid, several ranges and other units (the whole file)', () => {
    for (const header of [
      'bytes=5-2',
      'bytes=1-2,4-5',
      'items=0-1',
      'bytes=-',
      'bytes=a-b',
      undefined,
    ])
      expect(parseRange(header, 100)).toBeUndefined()
  })

  it('answers unsatisfiable past the end and for an empty suffix', () => {
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable')
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable')
    expect(parseRange('bytes=99999999999999-', 100)).toBe('unsatisfiable')
  })
})
