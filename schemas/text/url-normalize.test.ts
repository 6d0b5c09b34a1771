import { describe, expect, it } from 'vitest'
import { domainOf, normalizeUrl } from './url-normalize.js'

describe('normalizeUrl follows url_in normalization (csdl.md §4.12)', () => {
  it.each([
    ['https://example.org/shop', 'example.org/shop'],
    ['http://www.example.org/shop', 'example.org/shop'],
    ['www.example.org/shop/', 'example.org/shop'],
    ['https://example.org/a?utm_source=x&utm_medium=y&id=3', 'example.org/a?id=3'],
    ['https://example.org/a?UTM_Campaign=z', 'example.org/a'],
    ['https://example.org/a#section-2', 'example.org/a'],
    ['https://example.org/news/index.html', 'example.org/news'],
    ['https://example.org/index.php', 'example.org'],
    ['https://example.org/x/default.aspx', 'example.org/x'],
    ['HTTPS://WWW.Example.ORG/Path', 'example.org/path'],
    ['https://www2.example.org/', 'www2.example.org'],
  ])('%s → %s', (url, expected) => {
    expect(normalizeUrl(url)).toBe(expected)
  })

  it('does not make a prefix match: a site root and a page stay different', () => {
    expect(normalizeUrl('http://example.org')).not.toBe(normalizeUrl('http://example.org/shop'))
  })

  it('keeps non-tracking query parameters and their order', () => {
    expect(normalizeUrl('https://a.com/s?q=1&utm_term=x&page=2')).toBe('a.com/s?q=1&page=2')
  })
})

describe('domainOf', () => {
  it.each([
    ['https://www.BBC.co.uk/news', 'bbc.co.uk'],
    ['http://user:pw@host.example:8080/x', 'host.example'],
    ['example.com/path?q', 'example.com'],
    ['https://t.co/abc', 't.co'],
  ])('%s → %s', (url, expected) => {
    expect(domainOf(url)).toBe(expected)
  })

  it('has no domain for an empty host', () => {
    expect(domainOf('https:///path')).toBeUndefined()
  })
})
