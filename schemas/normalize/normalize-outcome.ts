import type { Interaction } from '../interaction.js'
import type { NormalizeError } from './normalize-error.js'
import type { SourceFormat } from './source-format.js'
import type { StreamNotice } from './stream-notice.js'

/**
 * What one raw record became: interactions (a v2 page or a Reddit comment tree holds several),
 * a stream notice, or a reasoned error. Never a thrown exception. `rejected` lists the parts of
 * a multi-post record that could not be read while the rest could (a v2 page with one tweet
 * lacking created_at): they are counted as malformed, the rest goes on.
 */
export type NormalizeOutcome =
  | {
      readonly kind: 'interactions'
      readonly format: SourceFormat
      readonly interactions: readonly Interaction[]
      readonly rejected: readonly NormalizeError[]
    }
  | { readonly kind: 'notice'; readonly notice: StreamNotice }
  | { readonly kind: 'malformed'; readonly error: NormalizeError }

const NO_ERRORS: readonly NormalizeError[] = []

export function interactions(
  format: SourceFormat,
  list: readonly Interaction[],
  rejected: readonly NormalizeError[] = NO_ERRORS,
): NormalizeOutcome {
  return { kind: 'interactions', format, interactions: list, rejected }
}

export function notice(n: StreamNotice): NormalizeOutcome {
  return { kind: 'notice', notice: n }
}

export function malformed(error: NormalizeError): NormalizeOutcome {
  return { kind: 'malformed', error }
}
