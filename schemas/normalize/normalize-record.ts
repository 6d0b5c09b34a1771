import { NormalizeError } from './normalize-error.js'
import { malformed, notice, type NormalizeOutcome } from './normalize-outcome.js'
import { isJsonObject, type JsonObject } from './json-value.js'
import type { FormatChoice, SourceFormat } from './source-format.js'
import { looksLikeFacebook, normalizeFacebook } from './facebook-normalizer.js'
import { looksLikeFoursquare, normalizeFoursquare } from './foursquare-normalizer.js'
import { looksLikeReddit, normalizeReddit } from './reddit-normalizer.js'
import { looksLikeActivity, normalizeTwitterActivity } from './twitter-activity-normalizer.js'
import { looksLikeTwitterV1, normalizeTwitterV1, twitterV1Notice } from './twitter-v1-normalizer.js'
import { looksLikeTwitterV2, normalizeTwitterV2, twitterV2Notice } from './twitter-v2-normalizer.js'

interface FormatHandler {
  readonly looksLike: (record: JsonObject) => boolean
  readonly normalize: (record: JsonObject) => NormalizeOutcome
}

/** Each format's detector and normalizer, in detection order (most specific first). */
const HANDLERS: Readonly<Record<SourceFormat, FormatHandler>> = {
  'twitter-activity-streams': { looksLike: looksLikeActivity, normalize: normalizeTwitterActivity },
  'twitter-v2': { looksLike: looksLikeTwitterV2, normalize: normalizeTwitterV2 },
  'twitter-v1': {
    looksLike: (r) => looksLikeTwitterV1(r) || twitterV1Notice(r) !== undefined,
    normalize: normalizeTwitterV1,
  },
  reddit: { looksLike: looksLikeReddit, normalize: normalizeReddit },
  facebook: { looksLike: looksLikeFacebook, normalize: normalizeFacebook },
  foursquare: { looksLike: looksLikeFoursquare, normalize: normalizeFoursquare },
}

const DETECTION_ORDER = Object.keys(HANDLERS) as readonly SourceFormat[]

/**
 * Names the format of a parsed record, or undefined when none matches. Stream messages count
 * as their format (a v1 `delete` is twitter-v1).
 *
 * @example detectFormat({ verb: 'post', actor: {}, postedTime: '…' }) // 'twitter-activity-streams'
 */
export function detectFormat(record: JsonObject): SourceFormat | undefined {
  if (twitterV1Notice(record) !== undefined) return 'twitter-v1'
  if (twitterV2Notice(record) !== undefined && looksLikeTwitterV2(record)) return 'twitter-v2'
  return DETECTION_ORDER.find((f) => HANDLERS[f].looksLike(record))
}

function describe(record: JsonObject): string {
  const keys = Object.keys(record)
  return keys.length === 0
    ? 'an empty object'
    : `an object with keys ${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', …' : ''}`
}

/**
 * Normalizes one parsed record in the chosen format (or the detected one for `auto`).
 * Never throws: anything unreadable comes back as a `malformed` outcome with a reason.
 */
export function normalizeRecord(record: unknown, choice: FormatChoice): NormalizeOutcome {
  if (!isJsonObject(record))
    return malformed(
      new NormalizeError(
        'not_an_object',
        `expected a JSON object, got ${Array.isArray(record) ? 'an array' : typeof record}`,
      ),
    )
  try {
    return dispatch(record, choice)
  } catch (cause) {
    // A normalizer bug must not stop the stream; the record is set aside with the reason.
    const reason = cause instanceof Error ? cause.message : String(cause)
    return malformed(
      new NormalizeError(
        'invalid_field',
        `normalizer failed on this record: ${reason}`,
        choice === 'auto' ? {} : { format: choice },
      ),
    )
  }
}

function dispatch(record: JsonObject, choice: FormatChoice): NormalizeOutcome {
  const format = choice === 'auto' ? detectFormat(record) : choice
  if (format === undefined)
    return malformed(
      new NormalizeError(
        'unrecognized_format',
        `not a record of any known source: ${describe(record)}`,
      ),
    )
  const handler = HANDLERS[format]
  if (choice !== 'auto' && !handler.looksLike(record)) {
    const other = detectFormat(record)
    return malformed(
      new NormalizeError(
        'unrecognized_format',
        `not a ${format} record${other === undefined ? '' : ` (it looks like ${other}; try --source auto)`}: ${describe(record)}`,
        { format },
      ),
    )
  }
  return handler.normalize(record)
}

/** Lines longer than this are refused unparsed: no real post comes near it. */
export const MAX_LINE_BYTES = 4 * 1024 * 1024

const BLANK = /^\s*$/

/**
 * Normalizes one line of NDJSON: a blank line is a keep-alive notice, a line that is not JSON
 * is malformed with the parser's reason, anything else goes to `normalizeRecord`.
 *
 * @example normalizeLine('{"delete":{"status":{"id_str":"1"}}}', 'auto').kind // 'notice'
 */
export function normalizeLine(
  line: string,
  choice: FormatChoice,
  maxChars: number = MAX_LINE_BYTES,
): NormalizeOutcome {
  if (line.length > maxChars)
    return malformed(
      new NormalizeError(
        'line_too_long',
        `line of ${line.length} characters exceeds the ${maxChars} limit`,
      ),
    )
  if (BLANK.test(line)) return notice({ kind: 'keep_alive', format: undefined })
  let parsed: unknown
  try {
    parsed = JSON.parse(line)
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    return malformed(new NormalizeError('invalid_json', `not valid JSON (${reason})`))
  }
  return normalizeRecord(parsed, choice)
}
