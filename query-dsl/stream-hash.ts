import { createHash } from 'node:crypto'
import { lex } from './lexer.js'

/**
 * The canonical form of a definition (csdl.md §9): its tokens separated by single spaces, with
 * comments and layout gone and targets, operators and keywords lower-cased. String arguments
 * and numbers stay exactly as written; tag namespaces keep their case (they name output keys).
 *
 * @example canonicalForm('Interaction.Content  CONTAINS "Apple" // fruit') // 'interaction.content contains "Apple"'
 */
export function canonicalForm(source: string): string {
  const { tokens } = lex(source)
  const parts: string[] = []
  for (const t of tokens) {
    if (t.kind === 'eof') break
    const text = source.slice(t.start, t.end)
    if (t.kind !== 'word') parts.push(text)
    else if (/^tag\./i.test(text)) parts.push(`tag${text.slice(3)}`)
    else parts.push(text.toLowerCase())
  }
  return parts.join(' ')
}

/**
 * The stream hash of a definition: MD5 of its canonical form, 32 lower-case hex digits. Stable
 * across Sluice versions as long as the canonical form is; comments, whitespace and keyword
 * case do not change it.
 *
 * @example streamHash('a.b exists') === streamHash('A.B   EXISTS /* note *\/') // true
 */
export function streamHash(source: string): string {
  return createHash('md5').update(canonicalForm(source)).digest('hex')
}

/** True for a well-formed stream hash (32 hex digits). */
export function isStreamHash(text: string): boolean {
  return /^[0-9a-f]{32}$/i.test(text)
}
