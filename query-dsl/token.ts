/** Token kinds of CSDL (csdl.md §1.1–§2). Words cover targets, operators, keywords and tag heads. */
export const TOKEN_KINDS = [
  'word',
  'string',
  'number',
  '==',
  '!=',
  '>',
  '>=',
  '<',
  '<=',
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  ',',
  'eof',
] as const
export type TokenKind = (typeof TOKEN_KINDS)[number]

/**
 * A token: its kind and UTF-16 span in the source. A string token spans its quotes; its raw
 * text (escapes intact) is the slice between them, decoded on demand (see string-literal.ts).
 */
export interface Token {
  readonly kind: TokenKind
  readonly start: number
  readonly end: number
}

/** What a user would call a token in an error message. */
export function describeToken(source: string, t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'the end of the definition'
    case 'string':
      return `the string ${truncate(source.slice(t.start, t.end))}`
    case 'number':
      return `the number ${source.slice(t.start, t.end)}`
    case 'word':
      return `"${truncate(source.slice(t.start, t.end))}"`
    default:
      return `"${t.kind}"`
  }
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}…` : text
}
