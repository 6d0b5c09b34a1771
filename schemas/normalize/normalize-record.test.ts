import { describe, expect, it } from 'vitest'
import { dataLines, RECORD_FILES } from '../../test/support/shared-data.js'
import { detectFormat, normalizeLine, normalizeRecord } from './normalize-record.js'
import { isJsonObject } from './json-value.js'

const EXPECTED_FORMAT: Readonly<Record<string, string>> = {
  'twitter-v1-sample.jsonl.gz': 'twitter-v1',
  'twitter-v2-sample.jsonl.gz': 'twitter-v2',
  'twitter-gnip-activitystreams-sample.jsonl.gz': 'twitter-activity-streams',
  'reddit-api-comments-sample.jsonl.gz': 'reddit',
  'reddit-api-submissions-sample.jsonl.gz': 'reddit',
  'reddit-pushshift-comments-sample.jsonl.gz': 'reddit',
  'reddit-pushshift-submissions-sample.jsonl.gz': 'reddit',
  'facebook-graph-posts-sample.jsonl.gz': 'facebook',
  'facebook-graph-comments-sample.jsonl.gz': 'facebook',
  'foursquare-checkins-sample.jsonl.gz': 'foursquare',
}

describe('format detection', () => {
  it.each(RECORD_FILES.filter((f) => f in EXPECTED_FORMAT))(
    'detects every record of %s',
    (file) => {
      const formats = new Set<string | undefined>()
      for (const line of dataLines(file)) {
        const parsed: unknown = JSON.parse(line)
        formats.add(isJsonObject(parsed) ? detectFormat(parsed) : 'not an object')
      }
      expect([...formats]).toEqual([EXPECTED_FORMAT[file]])
    },
  )
})

describe('bad input gets a reason, never an exception', () => {
  it('reports invalid JSON with the parser position', () => {
    const o = normalizeLine('{"data": {"author_id": "1021159080151404544"', 'auto')
    expect(o.kind === 'malformed' && o.error.code).toBe('invalid_json')
  })

  it('reports JSON that is not an object', () => {
    for (const line of ['[1,2]', '"text"', '42', 'null']) {
      const o = normalizeLine(line, 'auto')
      expect(o.kind === 'malformed' && o.error.code, line).toBe('not_an_object')
    }
  })

  it('reports an object of no known format, listing its keys', () => {
    const o = normalizeLine('{"foo":1,"bar":2}', 'auto')
    expect(o.kind === 'malformed' && o.error.message).toContain('foo, bar')
  })

  it('hints at --source auto when the chosen format does not fit', () => {
    const tweet = dataLines('twitter-v1-sample.jsonl.gz')[0] ?? ''
    const o = normalizeLine(tweet, 'reddit')
    expect(o.kind === 'malformed' && o.error.message).toMatch(
      /looks like twitter-v1; try --source auto/,
    )
  })

  it('refuses overlong lines without parsing them', () => {
    const o = normalizeLine(`{"x":"${'a'.repeat(100)}"}`, 'auto', 50)
    expect(o.kind === 'malformed' && o.error.code).toBe('line_too_long')
  })

  it('counts blank lines as keep-alives', () => {
    for (const line of ['', '   ', '\r'])
      expect(normalizeLine(line, 'auto')).toEqual({
        kind: 'notice',
        notice: { kind: 'keep_alive', format: undefined },
      })
  })

  it('turns a record that trips a normalizer into a malformed outcome', () => {
    // A getter that throws stands in for any bug a strange record could expose.
    const hostile = Object.defineProperty(
      { created_at: 'Sat Dec 19 16:01:35 +0000 2009', text: 'x' },
      'id_str',
      {
        enumerable: true,
        get() {
          throw new Error('boom')
        },
      },
    )
    const o = normalizeRecord(hostile, 'twitter-v1')
    expect(o.kind === 'malformed' && o.error.message).toContain('boom')
  })
})
