const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
}

// "Sat Dec 19 16:01:35 +0000 2009": Twitter v1.1's created_at.
const TWITTER_DATE =
  /^\w{3} (\w{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})$/
// Offsets of the fields in the fixed-width form every tweet and user object uses.
const FIXED_TWITTER_DATE_LENGTH = 30

function digits(text: string, at: number, count: number): number {
  let n = 0
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 48
    if (d < 0 || d > 9) return -1
    n = n * 10 + d
  }
  return n
}

/** The fixed-width case without a regex: it runs twice per tweet (tweet and user). */
function parseFixedTwitterDate(t: string): number | undefined {
  if (
    t.length !== FIXED_TWITTER_DATE_LENGTH ||
    t[10] !== ' ' ||
    t[13] !== ':' ||
    t[16] !== ':' ||
    t[19] !== ' ' ||
    t[25] !== ' '
  )
    return undefined
  const month = MONTHS[t.slice(4, 7)]
  const day = digits(t, 8, 2)
  const hh = digits(t, 11, 2)
  const mi = digits(t, 14, 2)
  const ss = digits(t, 17, 2)
  const oh = digits(t, 21, 2)
  const om = digits(t, 23, 2)
  const year = digits(t, 26, 4)
  const sign = t[20]
  if (
    month === undefined ||
    day < 0 ||
    hh < 0 ||
    mi < 0 ||
    ss < 0 ||
    oh < 0 ||
    om < 0 ||
    year < 0 ||
    (sign !== '+' && sign !== '-')
  )
    return undefined
  return Date.UTC(year, month, day, hh, mi, ss) - offsetMinutes(sign, oh, om) * 60_000
}
// "2013-06-19T16:04:25+0000", "2021-09-02T03:17:52.000Z", "2019-09-06T17:25:54.667+05:30".
const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/

function offsetMinutes(sign: string, hh: string | number, mm: string | number): number {
  const m = Number(hh) * 60 + Number(mm)
  return sign === '-' ? -m : m
}

/**
 * Parses Twitter v1.1's `created_at` form into epoch milliseconds, or undefined if the text is
 * not in that form.
 *
 * @example parseTwitterDate('Sat Dec 19 16:01:35 +0000 2009') // 1261238495000
 */
export function parseTwitterDate(text: string): number | undefined {
  const fixed = parseFixedTwitterDate(text)
  if (fixed !== undefined) return fixed
  const m = TWITTER_DATE.exec(text)
  if (m === null) return undefined
  const [, mon, day, hh, mi, ss, sign, oh, om, year] = m as unknown as readonly string[]
  const month = MONTHS[mon ?? '']
  if (month === undefined) return undefined
  const utc = Date.UTC(Number(year), month, Number(day), Number(hh), Number(mi), Number(ss))
  return utc - offsetMinutes(sign ?? '+', oh ?? '0', om ?? '0') * 60_000
}

/**
 * Parses ISO-8601 date-times as the sources write them (offsets with or without a colon, or none,
 * meaning UTC) into epoch milliseconds, or undefined.
 *
 * @example parseIsoDate('2013-06-19T16:04:25+0000') // 1371657865000
 */
export function parseIsoDate(text: string): number | undefined {
  const m = ISO_DATE.exec(text)
  if (m === null) return undefined
  const [, y, mo, d, h, mi, s, frac, zone] = m as unknown as readonly (string | undefined)[]
  const ms = frac === undefined ? 0 : Number(frac.padEnd(3, '0').slice(0, 3))
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms)
  if (Number.isNaN(utc)) return undefined
  if (zone === undefined || zone === 'Z') return utc
  const digits = zone.replace(':', '')
  return utc - offsetMinutes(digits[0] ?? '+', digits.slice(1, 3), digits.slice(3, 5)) * 60_000
}

// Epoch seconds before 1990 or after 2100 are not timestamps of social posts.
const MIN_EPOCH_SECONDS = 631152000
const MAX_EPOCH_SECONDS = 4102444800

/**
 * Reads Unix epoch seconds given as a number or a numeric string (Reddit's created_utc has been
 * all three across the years) into epoch milliseconds, or undefined when out of a plausible range.
 *
 * @example parseEpochSeconds('1411010034.0') // 1411010034000
 */
export function parseEpochSeconds(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : NaN
  if (!Number.isFinite(n) || n < MIN_EPOCH_SECONDS || n > MAX_EPOCH_SECONDS) return undefined
  return Math.round(n * 1000)
}
