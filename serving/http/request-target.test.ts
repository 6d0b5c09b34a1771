import { describe, expect, it } from 'vitest'
import { decodeSegment, parseRequestTarget } from './request-target.js'

describe('request targets', () => {
  it('parses what a client may send, resolving dot segments', () => {
    expect(parseRequestTarget('/graphql?x=1')?.path).toBe('/graphql')
    expect(parseRequestTarget('/graphql?x=1')?.query.get('x')).toBe('1')
    expect(parseRequestTarget('/recordings/../keys/x')?.path).toBe('/keys/x')
    expect(parseRequestTarget('//evil.example/graphql')?.path).toBe('//evil.example/graphql')
    // What crashed the upgrade handler once is just a path that leads nowhere.
    expect(parseRequestTarget('//[')?.path).toBe('//[')
  })

  it('answers undefined, never throws, for what is not a path', () => {
    for (const raw of ['*', '', 'http://x/graphql', 'x', undefined])
      expect(parseRequestTarget(raw)).toBeUndefined()
  })

  it('decodes a segment, or answers undefined for a malformed escape', () => {
    expect(decodeSegment('a%20b')).toBe('a b')
    expect(decodeSegment('%E0%A4%A')).toBeUndefined()
  })
})
