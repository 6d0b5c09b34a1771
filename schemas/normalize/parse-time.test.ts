import { describe, expect, it } from 'vitest'
import { parseEpochSeconds, parseIsoDate, parseTwitterDate } from './parse-time.js'

describe('parseTwitterDate', () => {
  it.each([
    'Sat Dec 19 16:01:35 +0000 2009',
    'Thu Jan 30 18:07:29 -0530 2020',
    'Mon Feb 29 23:59:59 +1400 2016',
    'Sat Dec 9 16:01:35 +0000 2009',
  ])('agrees with Date.parse on %s', (text) => {
    expect(parseTwitterDate(text)).toBe(Date.parse(text))
  })

  it('rejects other forms', () => {
    expect(parseTwitterDate('2009-12-19T16:01:35Z')).toBeUndefined()
    expect(parseTwitterDate('Sat Xyz 19 16:01:35 +0000 2009')).toBeUndefined()
  })
})

describe('parseIsoDate', () => {
  it.each([
    ['2013-06-19T16:04:25+0000', Date.UTC(2013, 5, 19, 16, 4, 25)],
    ['2021-09-02T03:17:52.000Z', Date.UTC(2021, 8, 2, 3, 17, 52)],
    ['2019-09-06T17:25:54.667+05:30', Date.UTC(2019, 8, 6, 11, 55, 54, 667)],
    ['2016-12-31T19:30:52.362Z', Date.UTC(2016, 11, 31, 19, 30, 52, 362)],
    ['2013-10-19T05:00:00', Date.UTC(2013, 9, 19, 5)],
  ])('%s', (text, expected) => {
    expect(parseIsoDate(text)).toBe(expected)
  })

  it('rejects non-dates', () => {
    expect(parseIsoDate('yesterday')).toBeUndefined()
  })
})

describe('parseEpochSeconds', () => {
  it('reads numbers and numeric strings, as Reddit wrote them over the years', () => {
    expect(parseEpochSeconds(1411010034.0)).toBe(1411010034000)
    expect(parseEpochSeconds('1134345600')).toBe(1134345600000)
    expect(parseEpochSeconds('1706745600.5')).toBe(1706745600500)
  })

  it('refuses implausible or unreadable values', () => {
    for (const v of [0, -5, 1e12, 'soon', '', null, undefined])
      expect(parseEpochSeconds(v)).toBeUndefined()
  })
})
