import { StreamLanguage, type StreamParser } from '@codemirror/language'

// csdl.md §1.1 and §4: the words the highlighter tells apart. The language is case-insensitive.
const LOGICAL = new Set(['and', 'or', 'not'])
const STATEMENTS = new Set(['tag', 'tags', 'return', 'stream', 'rule'])
const OPERATORS = new Set([
  'contains',
  'substr',
  'contains_substr',
  'contains_any',
  'any',
  'contains_all',
  'all',
  'contains_near',
  'near',
  'wildcard',
  'wild',
  'in',
  'exists',
  'regex_partial',
  'regex_exact',
  'url_in',
  'geo_box',
  'geo_radius',
  'geo_polygon',
  'list_in',
  'list_any',
  'cs',
])

interface CsdlState {
  /** Inside a block comment that continues on the next line. */
  comment: boolean
}

const parser: StreamParser<CsdlState> = {
  name: 'csdl',
  startState: () => ({ comment: false }),
  token(stream, state) {
    if (state.comment) {
      if (stream.skipTo('*/')) {
        stream.match('*/')
        state.comment = false
      } else stream.skipToEnd()
      return 'comment'
    }
    if (stream.eatSpace()) return null
    if (stream.match('//')) {
      stream.skipToEnd()
      return 'comment'
    }
    if (stream.match('/*')) {
      state.comment = true
      return 'comment'
    }
    if (stream.peek() === '"') {
      stream.next()
      let escaped = false
      for (let c = stream.next(); c !== undefined; c = stream.next()) {
        if (c === '"' && !escaped) return 'string'
        escaped = !escaped && c === '\\'
      }
      return 'string'
    }
    if (stream.match(/^[-+]?\d+(\.\d+)?/)) return 'number'
    if (stream.match(/^(==|!=|>=|<=|>|<)/)) return 'operator'
    if (stream.match(/^[{}()[\],]/)) return 'bracket'
    const word = stream.match(/^[A-Za-z_][\w.-]*/) as RegExpMatchArray | null
    if (word !== null) {
      const w = word[0].toLowerCase()
      if (LOGICAL.has(w)) return 'keyword'
      if (STATEMENTS.has(w) || w.startsWith('tag.')) return 'keyword'
      if (OPERATORS.has(w)) return 'operatorKeyword'
      if (w === 'true' || w === 'false') return 'bool'
      return w.includes('.') ? 'propertyName' : 'variableName'
    }
    stream.next()
    return 'invalid'
  },
  languageData: { commentTokens: { line: '//', block: { open: '/*', close: '*/' } } },
}

/** CSDL for CodeMirror: syntax highlighting only; the server's `validateCsdl` does the checking. */
export const csdl = StreamLanguage.define(parser)
