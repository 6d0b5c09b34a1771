import { isJsWhitespace } from '../schemas/index.js'
import { diagnostic, type Diagnostic } from './diagnostics.js'
import type { Token, TokenKind } from './token.js'

// Character codes the lexer switches on.
const LF = 10
const BANG = 33
const QUOTE = 34
const APOSTROPHE = 39
const LPAREN = 40
const RPAREN = 41
const STAR = 42
const PLUS = 43
const COMMA = 44
const MINUS = 45
const DOT = 46
const SLASH = 47
const ZERO = 48
const NINE = 57
const LT = 60
const EQ = 61
const GT = 62
const LBRACKET = 91
const BACKSLASH = 92
const RBRACKET = 93
const UNDERSCORE = 95
const LBRACE = 123
const RBRACE = 125

/** The escapes csdl.md §2.5 allows after a backslash inside a string. */
const STRING_ESCAPES = new Set(['"', '\\', ',', ':', 'n', 'r', 't'])

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE
}

function isWordStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === UNDERSCORE
}

function isWordChar(c: number): boolean {
  return isWordStart(c) || isDigit(c)
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/

/** The result of lexing: tokens (always ending in `eof`) and the lexical errors met on the way. */
export interface LexResult {
  readonly tokens: readonly Token[]
  readonly diagnostics: readonly Diagnostic[]
}

/**
 * Splits CSDL source into tokens. Never throws: an unknown character, a bad escape or an
 * unterminated string or comment becomes a diagnostic, and lexing goes on after it.
 * Comments and whitespace produce no tokens.
 *
 * @example lex('a.b contains "x"').tokens.map((t) => t.kind) // ['word', 'word', 'string', 'eof']
 */
export function lex(source: string): LexResult {
  const tokens: Token[] = []
  const diagnostics: Diagnostic[] = []
  const n = source.length
  const push = (kind: TokenKind, start: number, end: number): void => {
    tokens.push({ kind, start, end })
  }
  let i = 0
  while (i < n) {
    const c = source.charCodeAt(i)
    // Pasted filters carry no-break and ideographic spaces; they separate tokens like a space.
    if (isJsWhitespace(c)) {
      i++
      continue
    }
    const start = i
    switch (c) {
      case SLASH: {
        const next = source.charCodeAt(i + 1)
        if (next === SLASH) {
          i += 2
          while (i < n && source.charCodeAt(i) !== LF) i++
        } else if (next === STAR) {
          const close = source.indexOf('*/', i + 2)
          if (close === -1) {
            diagnostics.push(diagnostic('unterminated_comment', start, start + 2))
            i = n
          } else i = close + 2
        } else {
          diagnostics.push(diagnostic('unexpected_character', start, start + 1, { char: '/' }))
          i++
        }
        continue
      }
      case QUOTE: {
        i++
        let closed = false
        // Jump from quote or backslash to the next in native code (a string argument can be a
        // list of ten million names), remembering each next position so escapes stay linear.
        let quote = -2
        let backslash = -2
        while (i < n) {
          if (quote !== -1 && quote < i) quote = source.indexOf('"', i)
          if (backslash !== -1 && backslash < i) backslash = source.indexOf('\\', i)
          const stop =
            quote === -1 ? backslash : backslash === -1 ? quote : Math.min(quote, backslash)
          if (stop === -1) {
            i = n
            break
          }
          i = stop
          const d = source.charCodeAt(i)
          if (d === BACKSLASH) {
            const escaped = source[i + 1] ?? ''
            if (!STRING_ESCAPES.has(escaped))
              diagnostics.push(
                diagnostic('bad_escape', i, Math.min(i + 2, n), {
                  char: escaped === '' ? '' : escaped,
                }),
              )
            i += 2
            continue
          }
          i++
          if (d === QUOTE) {
            closed = true
            break
          }
        }
        if (!closed) {
          diagnostics.push(diagnostic('unterminated_string', start, start + 1))
          i = n
        }
        push('string', start, Math.min(i, n))
        continue
      }
      case APOSTROPHE: {
        // Single-quoted strings are not CSDL (csdl.md §2.5): report, then lex on as a string.
        let end = source.indexOf("'", i + 1)
        const eol = source.indexOf('\n', i + 1)
        if (end === -1 || (eol !== -1 && eol < end)) end = eol === -1 ? n - 1 : eol - 1
        diagnostics.push(
          diagnostic('single_quote', start, end + 1, { text: source.slice(start + 1, end) }),
        )
        push('string', start, end + 1)
        i = end + 1
        continue
      }
      case LPAREN:
        push('(', start, ++i)
        continue
      case RPAREN:
        push(')', start, ++i)
        continue
      case LBRACE:
        push('{', start, ++i)
        continue
      case RBRACE:
        push('}', start, ++i)
        continue
      case LBRACKET:
        push('[', start, ++i)
        continue
      case RBRACKET:
        push(']', start, ++i)
        continue
      case COMMA:
        push(',', start, ++i)
        continue
      case EQ:
        if (source.charCodeAt(i + 1) === EQ) push('==', start, (i += 2))
        else {
          diagnostics.push(
            diagnostic('unexpected_character', start, start + 1, { char: '= (equality is ==)' }),
          )
          push('==', start, ++i)
        }
        continue
      case BANG:
        if (source.charCodeAt(i + 1) === EQ) push('!=', start, (i += 2))
        else {
          diagnostics.push(
            diagnostic('unexpected_character', start, start + 1, { char: '! (negation is NOT)' }),
          )
          i++
        }
        continue
      case GT:
        if (source.charCodeAt(i + 1) === EQ) push('>=', start, (i += 2))
        else push('>', start, ++i)
        continue
      case LT:
        if (source.charCodeAt(i + 1) === EQ) push('<=', start, (i += 2))
        else push('<', start, ++i)
        continue
      default:
        break
    }
    if (
      isDigit(c) ||
      ((c === PLUS || c === MINUS || c === DOT) &&
        (isDigit(source.charCodeAt(i + 1)) ||
          (source.charCodeAt(i + 1) === DOT && isDigit(source.charCodeAt(i + 2)))))
    ) {
      i++
      while (i < n) {
        const d = source.charCodeAt(i)
        if (
          isWordChar(d) ||
          d === DOT ||
          ((d === PLUS || d === MINUS) && (source.charCodeAt(i - 1) | 32) === 101)
        )
          i++
        else break
      }
      const text = source.slice(start, i)
      if (NUMBER.test(text)) push('number', start, i)
      else if (
        isDigit(c) &&
        /[A-Za-z_]/.test(text) &&
        /^[0-9A-Za-z_]+(?:[.-][0-9A-Za-z_]+)*$/.test(text)
      )
        push('word', start, i) // e.g. 2ch.title
      else {
        diagnostics.push(diagnostic('bad_number', start, i, { text }))
        push('number', start, i)
      }
      continue
    }
    if (isWordStart(c)) {
      i++
      while (i < n) {
        const d = source.charCodeAt(i)
        // Dots join path segments; hyphens occur inside tag namespaces (tag.my-brand "x").
        if (isWordChar(d) || ((d === DOT || d === MINUS) && isWordChar(source.charCodeAt(i + 1))))
          i++
        else break
      }
      push('word', start, i)
      continue
    }
    // C-style && and || are a common slip: name the CSDL keyword.
    if ((c === 38 || c === 124) && source.charCodeAt(i + 1) === c) {
      diagnostics.push(
        diagnostic('unexpected_character', start, start + 2, {
          char: c === 38 ? '&& (write AND)' : '|| (write OR)',
        }),
      )
      i += 2
      continue
    }
    const cp = source.codePointAt(i) ?? c
    const width = cp > 0xffff ? 2 : 1
    diagnostics.push(
      diagnostic('unexpected_character', start, start + width, { char: String.fromCodePoint(cp) }),
    )
    i += width
  }
  push('eof', n, n)
  return { tokens, diagnostics }
}

/** Characters that make a word a bare identifier (used by the canonical printer). */
export const WORD_CHARS = { isWordChar, isWordStart }
