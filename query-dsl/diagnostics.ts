/**
 * Every compile-time error of CSDL, with a stable code and a message template (csdl.md §10).
 * `{name}` placeholders are filled from the diagnostic's parameters. Messages say what to
 * change, not only what is wrong.
 */
export const DIAGNOSTIC_MESSAGES = {
  // Size and shape limits (csdl.md §2.9, §6, §11.1)
  too_long:
    'The definition is {size} bytes; the limit is {limit}. Split it and combine the parts with stream "<hash>".',
  too_deep: 'Parentheses and NOTs are nested more than {limit} deep; flatten the expression.',
  too_many_conditions:
    'maximum recursion depth of {limit} has been reached: the definition has {count} conditions. Split it into streams and combine them with stream "<hash>".',
  empty_definition: 'The definition is empty: a stream needs at least one condition.',
  // Lexical (csdl.md §2)
  unterminated_string: 'This string is never closed: add a double quote (") at its end.',
  unterminated_comment: 'This comment is never closed: add */ at its end.',
  bad_escape:
    'Unknown escape "\\{char}": in a string only \\" \\\\ \\, \\: \\n \\r \\t are escapes. Write \\\\ for a literal backslash (in a regex, "\\\\d" gives RE2 \\d).',
  single_quote: 'Strings take double quotes: write "{text}" instead of \'{text}\'.',
  unexpected_character: 'Unexpected character "{char}".',
  bad_number: '"{text}" is not a number.',
  // Syntax (csdl.md §1.1)
  syntax:
    'We are unable to parse this stream. At line {line} position {column} we were expecting {expected}, but found {found}.',
  unknown_operator: '"{operator}" is not a CSDL operator{hint}.',
  missing_argument: 'The operator {operator} needs an argument, for example {example}.',
  unexpected_argument: 'The operator exists takes no argument: write "{target} exists".',
  adjacent_conditions: 'Two conditions must be joined by AND or OR.',
  bad_switch: '{detail}',
  misplaced_tag: 'Tag rules and tags imports must come before return { … }.',
  tags_without_return: 'A definition with tag rules needs its filter inside return { … }.',
  duplicate_return: 'A definition has one return { … } block; merge the filters with OR.',
  // Targets and operators (csdl.md §2.4, §13)
  unknown_target: 'The target {target} does not exist{hint}.',
  operator_not_allowed:
    'The operator {operator} cannot be used on {target}, which is {type}; use one of: {allowed}.',
  argument_type: 'The operator {operator} on {target} takes {expected}, not {found}.',
  cs_not_allowed: 'cs (case sensitivity) does not apply to {operator}; remove it.',
  // Arguments (csdl.md §4)
  empty_argument: 'The argument of {operator} is empty; give at least one {what}.',
  float_in_list:
    'Integer lists take whole numbers only; {text} is not one (floats are not allowed in in-lists).',
  bad_regex: 'The regular expression is not valid RE2: {reason}.',
  bad_geo: '{detail}',
  polygon_vertices: 'A geo_polygon takes 3 to {limit} vertices; this one has {count}.',
  near_syntax: '{detail}',
  bad_wildcard: '{detail}',
  // Streams, tags, lists (csdl.md §7, §8, §4.16)
  bad_hash: '"{hash}" is not a stream hash: a hash is 32 hexadecimal characters.',
  unknown_stream: 'There is no compiled stream with hash {hash}; compile and register it first.',
  stream_cycle: 'Stream {hash} refers back to itself through {path}.',
  stream_is_tag_only:
    'Stream {hash} has tag rules but no filter; import its tags with tags "{hash}" instead.',
  unknown_tags:
    'There is no compiled tag definition with hash {hash}; compile and register it first.',
  tags_not_tag_only:
    'tags "{hash}" must name a definition of tag rules only; that one has a filter.',
  duplicate_tag: 'The tag "{label}"{namespace} is defined twice; define it once with OR.',
  bad_tag_label:
    'Tag label "{label}" may contain only unaccented Latin letters, digits, hyphens, spaces and underscores.',
  bad_namespace:
    'Tag namespace "{segment}" may contain only unaccented Latin letters, hyphens and underscores.',
  score_without_namespace:
    'A score ({score}) needs a namespace: write tag.<namespace> {score} { … }.',
  unknown_list: 'There is no dynamic list with id {id}; create it first.',
  internal: 'Internal error while compiling ({detail}); this is a bug in Sluice, please report it.',
} as const

export type DiagnosticCode = keyof typeof DIAGNOSTIC_MESSAGES

/** One compile error: a stable code, an actionable message, and where it is (UTF-16 offsets). */
export interface Diagnostic {
  readonly code: DiagnosticCode
  readonly message: string
  readonly start: number
  readonly end: number
}

/** A diagnostic with its 1-based line and column (columns count code points). */
export interface PositionedDiagnostic extends Diagnostic {
  readonly line: number
  readonly column: number
}

/** Fills a message template. */
export function diagnostic(
  code: DiagnosticCode,
  start: number,
  end: number,
  params: Readonly<Record<string, string | number>> = {},
): Diagnostic {
  const message = DIAGNOSTIC_MESSAGES[code].replace(/\{(\w+)\}/g, (m, name: string) => {
    const v = params[name]
    return v === undefined ? m : String(v)
  })
  return { code, message, start, end }
}

/**
 * The 1-based line and column of a UTF-16 offset; computed only when an error is reported.
 *
 * @example lineColumn('a\nbc', 3) // { line: 2, column: 2 }
 */
export function lineColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1
  let lineStart = 0
  const end = Math.min(offset, source.length)
  for (let i = 0; i < end; i++) {
    if (source.charCodeAt(i) === 10) {
      line++
      lineStart = i + 1
    }
  }
  // Columns count code points, so an emoji before the error counts once.
  let column = 1
  for (let i = lineStart; i < end; i++) {
    const c = source.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) i++
    column++
  }
  return { line, column }
}

/** Adds line and column to diagnostics, sorted by position. */
export function positioned(
  source: string,
  diagnostics: readonly Diagnostic[],
): PositionedDiagnostic[] {
  return [...diagnostics]
    .sort((a, b) => a.start - b.start)
    .map((d) => ({ ...d, ...lineColumn(source, d.start) }))
}

/** `LINE:COL: message`, the form `sluice csdl validate` prints. */
export function formatDiagnostic(d: PositionedDiagnostic): string {
  return `${d.line}:${d.column}: ${d.message}`
}

/** A definition that does not compile; carries every diagnostic found. */
export class CsdlCompileError extends Error {
  override readonly name = 'CsdlCompileError'
  constructor(readonly diagnostics: readonly PositionedDiagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'))
  }
}
