import type { SourceFormat } from './source-format.js'

/**
 * Why a record could not be normalized. Stable codes, so counts can be grouped and alerted on.
 *
 * - `invalid_json`        the line is not JSON (truncated writes, binary junk).
 * - `not_an_object`       valid JSON that is not an object (a bare string, number or array).
 * - `unrecognized_format` an object that matches no known source format or stream message.
 * - `missing_field`       a required field (id, creation time, …) is absent.
 * - `invalid_field`       a required field is present but unusable (unparseable date, id over 64 bits).
 * - `line_too_long`       the line exceeds the size limit and was not parsed.
 */
export const NORMALIZE_ERROR_CODES = [
  'invalid_json',
  'not_an_object',
  'unrecognized_format',
  'missing_field',
  'invalid_field',
  'line_too_long',
] as const
export type NormalizeErrorCode = (typeof NORMALIZE_ERROR_CODES)[number]

/**
 * A record that cannot become an interaction. It is a value, not a crash: the caller counts it,
 * sets the record aside, and goes on with the rest of the input.
 *
 * @example new NormalizeError('missing_field', 'tweet has no created_at', { format: 'twitter-v1', field: 'created_at' })
 */
export class NormalizeError extends Error {
  override readonly name = 'NormalizeError'
  readonly code: NormalizeErrorCode
  readonly format: SourceFormat | undefined
  readonly field: string | undefined

  constructor(
    code: NormalizeErrorCode,
    reason: string,
    context: {
      readonly format?: SourceFormat | undefined
      readonly field?: string | undefined
    } = {},
  ) {
    super(reason)
    this.code = code
    this.format = context.format
    this.field = context.field
  }
}
