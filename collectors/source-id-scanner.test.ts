import { describe, expect, it } from 'vitest'
import { dataLines } from '../test/support/shared-data.js'
import { scanSourceId } from './source-id-scanner.js'

/** The id the scanner should find, read the slow way from the parsed record. */
function parsedId(line: string): string | undefined {
  const value = JSON.parse(line) as Record<string, unknown>
  const data = value['data']
  const holder =
    data !== null && typeof data === 'object' && !Array.isArray(data)
      ? (data as Record<string, unknown>)
      : value
  const id = holder['id_str'] ?? holder['id']
  return typeof id === 'string' ? id : undefined
}

describe('scanSourceId on the real corpus', () => {
  it.each([
    'twitter-v1-sample.jsonl.gz',
    'twitter-gnip-activitystreams-sample.jsonl.gz',
    'reddit-api-comments-sample.jsonl.gz',
    'reddit-api-submissions-sample.jsonl.gz',
    'facebook-graph-posts-sample.jsonl.gz',
    'foursquare-checkins-sample.jsonl.gz',
  ])('finds the top-level id of every record in %s', (file) => {
    const lines = dataLines(file).slice(0, 3000)
    let found = 0
    for (const line of lines) {
      const expected = parsedId(line)
      const got = scanSourceId(Buffer.from(line))
      // Twitter v1.1 has both id (digits) and id_str: either spells the same number.
      if (expected !== undefined) {
        expect(got === undefined ? undefined : BigInt(got.replace(/\D/g, '') || '0')).toBe(
          BigInt(expected.replace(/\D/g, '') || '0'),
        )
        found++
      }
    }
    expect(found).toBeGreaterThan(lines.length * 0.9)
  })

  it('looks inside a top-level "data" object (Twitter API v2) but not at nested ids', () => {
    expect(scanSourceId(Buffer.from('{"data": {"author_id": "9", "id": "42"}}'))).toBe('42')
    expect(scanSourceId(Buffer.from('{"user": {"id": 7}, "text": "x", "id": 8}'))).toBe('8')
    expect(scanSourceId(Buffer.from('{"text": "\\"id\\": 5", "id_str": "6"}'))).toBe('6')
    expect(scanSourceId(Buffer.from('{"ids": [1], "data": [{"id": "1"}]}'))).toBeUndefined()
    expect(scanSourceId(Buffer.from('{"id": "unterminated'))).toBeUndefined()
    expect(scanSourceId(Buffer.from('{"id": "a\\u0062c"}'))).toBe('abc')
  })

  it('scans a slice of a larger buffer', () => {
    const body = Buffer.from('{"id": 1}\n{"id": 2}\n')
    expect(scanSourceId(body, 10, 19)).toBe('2')
  })
})
