import { CSDL_OPERATORS, OPERATOR_SYNONYMS, type CsdlOperator } from '../schemas/index.js'
import type {
  ArgumentNode,
  ConditionNode,
  DefinitionNode,
  ExprNode,
  IntListNode,
  NumberNode,
  SwitchNode,
  TagLabel,
  TagRuleNode,
  TagsImportNode,
} from './ast.js'
import { diagnostic, lineColumn, type Diagnostic, type DiagnosticCode } from './diagnostics.js'
import { lex } from './lexer.js'
import { decodeString, rawOfStringToken } from './string-literal.js'
import { describeToken, type Token, type TokenKind } from './token.js'

/** Limits that keep any input string from exhausting the parser (csdl.md §2.9, §6). */
export interface ParseLimits {
  /** Largest definition in UTF-8 bytes (DataSift: 1 MB). Raise it for trusted bulk lists. */
  readonly maxBytes: number
  /** Deepest nesting of parentheses, NOT and tag/return blocks. */
  readonly maxDepth: number
  /** Most conditions in one definition (DataSift: 1000). */
  readonly maxConditions: number
}

export const DEFAULT_LIMITS: ParseLimits = {
  maxBytes: 1024 * 1024,
  // Deep enough for any real filter, shallow enough that recursion never nears the stack limit.
  maxDepth: 200,
  maxConditions: 1000,
}

/**
 * The result of parsing: every diagnostic, and the tree when one could be built. A tree that
 * comes with diagnostics holds Invalid nodes where parts did not parse; the checker still
 * checks the rest, so one pass reports as many errors as it can.
 */
export interface ParseResult {
  readonly definition: DefinitionNode | undefined
  readonly diagnostics: readonly Diagnostic[]
}

const SYMBOL_OPERATORS: ReadonlySet<TokenKind> = new Set(['==', '!=', '>', '>=', '<', '<='])
const WORD_OPERATORS: ReadonlyMap<string, CsdlOperator> = new Map([
  ...CSDL_OPERATORS.filter((o) => /^[a-z_]+$/.test(o)).map((o) => [o, o] as [string, CsdlOperator]),
  ...Object.entries(OPERATOR_SYNONYMS),
])
const KEYWORDS = new Set(['and', 'or', 'not', 'stream', 'rule', 'tag', 'tags', 'return', 'cs'])
const ARGUMENT_EXAMPLES: Readonly<Partial<Record<CsdlOperator, string>>> = {
  in: '"a, b" or [1, 2]',
  contains_near: '"word1,word2:5"',
  geo_box: '"51.7,-0.5:51.3,0.3"',
  geo_radius: '"48.85,2.35:15"',
  geo_polygon: '"37.8,-122.5:37.8,-122.3:37.7,-122.3"',
  url_in: '"example.org/page"',
  '>': '100',
  '>=': '100',
  '<': '100',
  '<=': '100',
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0
      row[j] = Math.min(
        (row[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      )
      prev = tmp
    }
  }
  return row[b.length] ?? 0
}

/** " (did you mean x?)" for a near miss among candidates, else "". */
export function suggestion(word: string, candidates: Iterable<string>): string {
  let best: string | undefined
  let bestDistance = Math.max(2, Math.floor(word.length / 4))
  for (const c of candidates) {
    const d = editDistance(word, c)
    if (d <= bestDistance) {
      best = c
      bestDistance = d
    }
  }
  return best === undefined ? '' : ` (did you mean ${best}?)`
}

/** Thrown inside the parser to unwind to the nearest recovery point; never escapes `parse`. */
class Recover extends Error {}

class Parser {
  private pos = 0
  private depth = 0
  private conditions = 0
  private conditionLimitReported = false
  readonly diagnostics: Diagnostic[] = []

  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
    private readonly limits: ParseLimits,
  ) {}

  private peek(offset = 0): Token {
    return (
      this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)] ?? {
        kind: 'eof',
        start: this.source.length,
        end: this.source.length,
      }
    )
  }

  private text(t: Token): string {
    return this.source.slice(t.start, t.end)
  }

  private word(t: Token): string | undefined {
    return t.kind === 'word' ? this.text(t).toLowerCase() : undefined
  }

  private isWord(t: Token, w: string): boolean {
    return this.word(t) === w
  }

  private next(): Token {
    const t = this.peek()
    if (t.kind !== 'eof') this.pos++
    return t
  }

  private error(
    code: DiagnosticCode,
    t: { start: number; end: number },
    params: Readonly<Record<string, string | number>> = {},
  ): never {
    this.diagnostics.push(diagnostic(code, t.start, t.end, params))
    throw new Recover()
  }

  private expected(what: string, t: Token = this.peek()): never {
    const { line, column } = lineColumn(this.source, t.start)
    this.error('syntax', t, { line, column, expected: what, found: describeToken(this.source, t) })
  }

  private expect(kind: TokenKind, what: string): Token {
    const t = this.peek()
    if (t.kind !== kind) this.expected(what)
    return this.next()
  }

  private enter(t: Token): void {
    if (++this.depth > this.limits.maxDepth) {
      this.diagnostics.push(diagnostic('too_deep', t.start, t.end, { limit: this.limits.maxDepth }))
      // Too deep cannot be recovered from locally: stop parsing altogether.
      this.pos = this.tokens.length - 1
      throw new Recover()
    }
  }

  /** Skips to a token where parsing can resume after an error. */
  private synchronize(stops: ReadonlySet<string>): void {
    let parens = 0
    for (;;) {
      const t = this.peek()
      if (t.kind === 'eof') return
      const w = this.word(t)
      if (parens === 0 && (t.kind === ')' || t.kind === '}' || (w !== undefined && stops.has(w))))
        return
      if (t.kind === '(') parens++
      if (t.kind === ')') parens--
      this.next()
    }
  }

  parseDefinition(): DefinitionNode | undefined {
    const first = this.peek()
    if (first.kind === 'eof') {
      this.diagnostics.push(diagnostic('empty_definition', 0, this.source.length))
      return undefined
    }
    const w = this.word(first)
    const classified =
      w === 'tags' || w === 'return' || (w !== undefined && (w === 'tag' || w.startsWith('tag.')))
    return classified ? this.parseClassified() : this.parsePlain()
  }

  private parsePlain(): DefinitionNode | undefined {
    let filter: ExprNode | undefined
    try {
      filter = this.parseExpression()
    } catch (e) {
      if (!(e instanceof Recover)) throw e
    }
    this.trailing(true)
    return filter === undefined
      ? undefined
      : {
          kind: 'Definition',
          statements: [],
          filter,
          hasReturn: false,
          start: filter.start,
          end: filter.end,
        }
  }

  /** Reports whatever follows a complete definition. */
  private trailing(plain: boolean): void {
    for (;;) {
      const t = this.peek()
      if (t.kind === 'eof') return
      const w = this.word(t)
      if (plain && w !== undefined && (w === 'tag' || w.startsWith('tag.') || w === 'tags')) {
        this.diagnostics.push(diagnostic('tags_without_return', t.start, t.end))
        return
      }
      const before = this.pos
      try {
        if (t.kind === 'word' || t.kind === '(') {
          this.diagnostics.push(diagnostic('adjacent_conditions', t.start, t.end))
          this.parseExpression()
        } else this.expected('AND, OR or the end of the definition')
      } catch (e) {
        if (!(e instanceof Recover)) throw e
      }
      // Always move on, so that no input can keep the parser in one place.
      if (this.pos === before) this.next()
    }
  }

  private parseClassified(): DefinitionNode | undefined {
    const statements: (TagRuleNode | TagsImportNode)[] = []
    let filter: ExprNode | undefined
    let returned = false
    const start = this.peek().start
    while (this.peek().kind !== 'eof') {
      const t = this.peek()
      const w = this.word(t)
      const before = this.pos
      try {
        if (w === 'return') {
          if (returned) this.diagnostics.push(diagnostic('duplicate_return', t.start, t.end))
          this.next()
          this.expect('{', '"{" after return')
          this.enter(t)
          const body = this.parseExpression()
          this.expect('}', 'AND, OR or "}"')
          this.depth--
          if (!returned) filter = body
          returned = true
        } else if (w === 'tags') {
          if (returned) this.diagnostics.push(diagnostic('misplaced_tag', t.start, t.end))
          this.next()
          const h = this.expect('string', 'the hash of a tag definition in double quotes')
          statements.push({
            kind: 'TagsImport',
            hash: decodeString(rawOfStringToken(this.source, h.start, h.end)),
            start: t.start,
            end: h.end,
          })
        } else if (w === 'tag' || (w !== undefined && w.startsWith('tag.'))) {
          if (returned) this.diagnostics.push(diagnostic('misplaced_tag', t.start, t.end))
          statements.push(this.parseTagRule())
        } else this.expected('tag, tags or return')
      } catch (e) {
        if (!(e instanceof Recover)) throw e
        this.depth = 0
        this.synchronize(new Set(['tag', 'tags', 'return']))
        const s = this.peek()
        const sw = this.word(s)
        if (
          s.kind === '}' ||
          s.kind === ')' ||
          (sw !== undefined &&
            !(sw === 'tag' || sw.startsWith('tag.') || sw === 'tags' || sw === 'return'))
        )
          this.next()
      }
      // Always move on, so that no input can keep the parser in one place.
      if (this.pos === before) this.next()
    }
    return {
      kind: 'Definition',
      statements,
      filter,
      hasReturn: returned,
      start,
      end: this.source.length,
    }
  }

  private parseTagRule(): TagRuleNode {
    const head = this.next()
    // Namespaces keep their spelling: they become keys of interaction.tag_tree.
    const namespace = this.text(head).split('.').slice(1)
    const l = this.peek()
    let label: TagLabel
    if (l.kind === 'string') {
      this.next()
      label = {
        kind: 'Label',
        text: decodeString(rawOfStringToken(this.source, l.start, l.end)),
        start: l.start,
        end: l.end,
      }
    } else if (l.kind === 'number') {
      this.next()
      const text = this.text(l)
      label = { kind: 'Score', value: Number(text), text, start: l.start, end: l.end }
    } else this.expected('a tag label in double quotes, or a score')
    const open = this.expect('{', '"{" after the tag label')
    this.enter(open)
    const body = this.parseExpression()
    const close = this.expect('}', 'AND, OR or "}"')
    this.depth--
    return { kind: 'TagRule', namespace, label, body, start: head.start, end: close.end }
  }

  private parseExpression(): ExprNode {
    return this.parseOr()
  }

  /**
   * Parses one operand; on an error, skips to the next AND/OR or closing bracket so that the
   * rest of the expression is still checked. The placeholder returned is never used: a
   * definition with diagnostics has no tree.
   */
  private operand(parse: () => ExprNode): ExprNode {
    const at = this.peek()
    const depth = this.depth
    try {
      return parse()
    } catch (e) {
      if (!(e instanceof Recover) || this.depth > this.limits.maxDepth) throw e
      this.depth = depth
      this.synchronize(new Set(['and', 'or', 'tag', 'tags', 'return']))
      return { kind: 'Invalid', start: at.start, end: this.peek().start }
    }
  }

  private parseOr(): ExprNode {
    const first = this.operand(() => this.parseAnd())
    if (!this.isWord(this.peek(), 'or')) return first
    const operands = [first]
    while (this.isWord(this.peek(), 'or')) {
      this.next()
      operands.push(this.operand(() => this.parseAnd()))
    }
    return {
      kind: 'Or',
      operands,
      start: first.start,
      end: operands[operands.length - 1]?.end ?? first.end,
    }
  }

  private parseAnd(): ExprNode {
    const first = this.operand(() => this.parseNot())
    const operands = [first]
    for (;;) {
      const t = this.peek()
      if (this.isWord(t, 'and')) {
        this.next()
        operands.push(this.operand(() => this.parseNot()))
        continue
      }
      // Two conditions side by side: report, and read on as if AND were there.
      if (this.startsPrimary(t)) {
        this.diagnostics.push(diagnostic('adjacent_conditions', t.start, t.end))
        operands.push(this.operand(() => this.parseNot()))
        continue
      }
      break
    }
    if (operands.length === 1) return first
    return {
      kind: 'And',
      operands,
      start: first.start,
      end: operands[operands.length - 1]?.end ?? first.end,
    }
  }

  private startsPrimary(t: Token): boolean {
    if (t.kind === '(') return true
    const w = this.word(t)
    return (
      w !== undefined &&
      (w === 'not' || w === 'stream' || w === 'rule' || !KEYWORDS.has(w)) &&
      !(w === 'tag' || w.startsWith('tag.') || w === 'tags' || w === 'return')
    )
  }

  private parseNot(): ExprNode {
    const t = this.peek()
    if (this.isWord(t, 'not')) {
      this.next()
      this.enter(t)
      const operand = this.parseNot()
      this.depth--
      return { kind: 'Not', operand, start: t.start, end: operand.end }
    }
    return this.parsePrimary()
  }

  private parsePrimary(): ExprNode {
    const t = this.peek()
    if (t.kind === '(') {
      this.next()
      this.enter(t)
      const inner = this.parseExpression()
      this.expect(')', 'AND, OR or ")"')
      this.depth--
      return inner
    }
    const w = this.word(t)
    if (w === 'stream' || w === 'rule') {
      this.next()
      const h = this.expect('string', 'a stream hash in double quotes')
      this.countCondition(t)
      return {
        kind: 'StreamRef',
        hash: decodeString(rawOfStringToken(this.source, h.start, h.end)),
        start: t.start,
        end: h.end,
      }
    }
    if (w === undefined || KEYWORDS.has(w) || w === 'tag' || w.startsWith('tag.'))
      this.expected('a target, NOT, "(" or stream', t)
    return this.parseCondition()
  }

  private countCondition(t: Token): void {
    if (++this.conditions > this.limits.maxConditions && !this.conditionLimitReported) {
      this.conditionLimitReported = true
      this.diagnostics.push(
        diagnostic('too_many_conditions', t.start, t.end, {
          limit: this.limits.maxConditions,
          count: `more than ${this.limits.maxConditions}`,
        }),
      )
    }
  }

  private parseCondition(): ConditionNode {
    const targetToken = this.next()
    this.countCondition(targetToken)
    const target = {
      kind: 'Name' as const,
      text: this.text(targetToken).toLowerCase(),
      start: targetToken.start,
      end: targetToken.end,
    }
    let caseSensitive = false
    if (this.isWord(this.peek(), 'cs')) {
      this.next()
      caseSensitive = true
    }
    const opToken = this.peek()
    let name: CsdlOperator | undefined
    if (SYMBOL_OPERATORS.has(opToken.kind)) name = opToken.kind as CsdlOperator
    else if (opToken.kind === 'word') {
      const written = this.text(opToken).toLowerCase()
      name = WORD_OPERATORS.get(written)
      if (name === undefined) {
        if (!KEYWORDS.has(written) && this.looksLikeOperatorPosition())
          this.error('unknown_operator', opToken, {
            operator: this.text(opToken),
            hint: suggestion(written, WORD_OPERATORS.keys()),
          })
        this.expected('an operator (contains, ==, in, exists, …)', opToken)
      }
    } else this.expected('an operator (contains, ==, in, exists, …)', opToken)
    this.next()
    const operator = {
      kind: 'Operator' as const,
      name,
      written: this.text(opToken),
      start: opToken.start,
      end: opToken.end,
    }
    const switches: SwitchNode[] = []
    while (this.peek().kind === '[' && this.peek(1).kind === 'word' && this.peek(2).kind === '(')
      switches.push(this.parseSwitch())
    let argument: ArgumentNode | undefined
    const a = this.peek()
    if (a.kind === 'string') {
      this.next()
      argument = {
        kind: 'String',
        raw: rawOfStringToken(this.source, a.start, a.end),
        start: a.start,
        end: a.end,
      }
    } else if (a.kind === 'number') {
      this.next()
      argument = this.numberNode(a)
    } else if (a.kind === '[') argument = this.parseIntList()
    if (name === 'exists') {
      if (argument !== undefined)
        this.error('unexpected_argument', argument, { target: target.text })
    } else if (argument === undefined)
      this.error(
        'missing_argument',
        { start: opToken.start, end: a.end },
        { operator: operator.written, example: ARGUMENT_EXAMPLES[name] ?? '"text"' },
      )
    const end = argument?.end ?? switches[switches.length - 1]?.end ?? opToken.end
    return {
      kind: 'Condition',
      target,
      caseSensitive,
      operator,
      switches,
      argument,
      start: targetToken.start,
      end,
    }
  }

  /** True when the word after a target is in operator position (followed by an argument or switch). */
  private looksLikeOperatorPosition(): boolean {
    const after = this.peek(1).kind
    return (
      after === 'string' ||
      after === 'number' ||
      after === '[' ||
      after === 'eof' ||
      after === 'word' ||
      after === ')'
    )
  }

  private numberNode(t: Token): NumberNode {
    const text = this.text(t)
    return { kind: 'Number', text, value: Number(text), start: t.start, end: t.end }
  }

  private parseIntList(): IntListNode {
    const open = this.next()
    const items: NumberNode[] = []
    for (;;) {
      const t = this.expect('number', 'an integer')
      items.push(this.numberNode(t))
      const sep = this.peek()
      if (sep.kind === ',') {
        this.next()
        continue
      }
      const close = this.expect(']', '"," or "]"')
      return { kind: 'IntList', items, start: open.start, end: close.end }
    }
  }

  private parseSwitch(): SwitchNode {
    const open = this.next()
    const nameToken = this.next()
    this.next() // (
    const values: string[] = []
    while (this.peek().kind !== ')') {
      const v = this.peek()
      if (v.kind === 'word' || v.kind === 'number') values.push(this.text(this.next()))
      else if (v.kind === ',') this.next()
      else this.expected('a switch value such as true, default or ja')
    }
    this.next() // )
    const close = this.expect(']', '"]" to close the switch')
    return {
      kind: 'Switch',
      name: this.text(nameToken).toLowerCase(),
      values,
      start: open.start,
      end: close.end,
    }
  }
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}

/**
 * Parses a CSDL definition (csdl.md §1.1). Never throws: every problem becomes a diagnostic,
 * and several are reported at once where the parser can recover (at AND/OR, closing brackets,
 * and statement keywords). The definition is returned only when there is no diagnostic.
 *
 * @example parse('interaction.content contains "x" and language.tag == "en"').definition?.filter?.kind // 'And'
 */
export function parse(source: string, limits: ParseLimits = DEFAULT_LIMITS): ParseResult {
  try {
    const size = source.length > limits.maxBytes / 3 ? utf8Length(source) : source.length
    if (size > limits.maxBytes)
      return {
        definition: undefined,
        diagnostics: [diagnostic('too_long', 0, 0, { size, limit: limits.maxBytes })],
      }
    const { tokens, diagnostics: lexical } = lex(source)
    const parser = new Parser(source, tokens, limits)
    const definition = parser.parseDefinition()
    return { definition, diagnostics: [...lexical, ...parser.diagnostics] }
  } catch (e) {
    // A bug must not escape to the caller as an exception on some input string.
    return {
      definition: undefined,
      diagnostics: [
        diagnostic('internal', 0, 0, { detail: e instanceof Error ? e.message : String(e) }),
      ],
    }
  }
}
