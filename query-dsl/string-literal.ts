/*
 * CSDL string arguments (csdl.md §2.5): the raw text between the quotes keeps its escapes so
 * that `\,` and `\:` stay distinguishable from the separators `,` and `:` until the argument
 * is split; each piece is decoded afterwards.
 */

const DECODE: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  ',': ',',
  ':': ':',
  n: '\n',
  r: '\r',
  t: '\t',
}

/**
 * Decodes the escapes of raw string text. Unknown escapes were reported by the lexer; here they
 * decode to the escaped character so that checking can go on.
 *
 * @example decodeString('a\\,b \\"c\\"') // 'a,b "c"'
 */
export function decodeString(raw: string): string {
  if (raw.indexOf('\\') === -1) return raw
  let out = ''
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] ?? ''
    if (ch === '\\' && i + 1 < raw.length) {
      const next = raw[++i] ?? ''
      out += DECODE[next] ?? next
    } else out += ch
  }
  return out
}

/**
 * Splits raw string text on an unescaped separator, keeping each piece raw (escapes intact), so
 * that a piece can be split again on another separator before it is decoded.
 *
 * @example splitRaw('a\\:b:c', ':') // ['a\\:b', 'c']
 */
export function splitRaw(raw: string, separator: ',' | ':'): string[] {
  if (raw.indexOf('\\') === -1) return raw.split(separator)
  const out: string[] = []
  let piece = 0
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]
    if (ch === '\\') i++
    else if (ch === separator) {
      out.push(raw.slice(piece, i))
      piece = i + 1
    }
  }
  out.push(raw.slice(piece))
  return out
}

/**
 * Splits raw string text on an unescaped separator and decodes each piece.
 *
 * @example splitUnescaped('x\\, y\\, z, platypus', ',') // ['x, y, z', ' platypus']
 */
export function splitUnescaped(raw: string, separator: ',' | ':'): string[] {
  return splitRaw(raw, separator).map(decodeString)
}

/** The raw text of a string token (between its quotes; a missing closing quote is tolerated). */
export function rawOfStringToken(source: string, start: number, end: number): string {
  const closed = end - start >= 2 && (source[end - 1] === '"' || source[end - 1] === "'")
  return source.slice(start + 1, closed ? end - 1 : end)
}
