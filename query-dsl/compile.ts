import { RE2JS } from 're2js'
import {
  CASE_SENSITIVE_CAPABLE,
  lookupTarget,
  normalizeUrl,
  TARGET_CATALOG,
  type CatalogEntry,
  type CsdlOperator,
  type CsdlType,
  type GeoPoint,
} from '../schemas/index.js'
import type {
  ArgumentNode,
  ConditionNode,
  DefinitionNode,
  ExprNode,
  SwitchNode,
  TagRuleNode,
} from './ast.js'
import {
  diagnostic,
  positioned,
  type Diagnostic,
  type DiagnosticCode,
  type PositionedDiagnostic,
} from './diagnostics.js'
import { estimateDpu, type ConditionCost, type DpuEstimate } from './dpu-cost.js'
import { tokenView, type EvalContext } from './eval-context.js'
import type { CompiledDefinition, CompiledTagRule, FilterExpr } from './filter-expr.js'
import { CompactStringSet, type StringSet } from './compact-string-set.js'
import { GeoBoxPredicate, GeoPolygonPredicate, GeoRadiusPredicate } from './geo-predicates.js'
import { DEFAULT_LIMITS, parse, suggestion, type ParseLimits } from './parser.js'
import type { Predicate } from './predicate.js'
import { decodeString, splitRaw, splitUnescaped } from './string-literal.js'
import { canonicalForm, isStreamHash, streamHash } from './stream-hash.js'
import { bindTarget, type TargetBinding } from './target-binding.js'
import {
  NearPredicate,
  PhrasePredicate,
  RegexPredicate,
  SubstrPredicate,
  WildcardPredicate,
} from './text-predicates.js'
import {
  DEFAULT_TOKENIZER,
  PUNCTUATION_CATEGORIES,
  tokenize,
  type PunctuationMode,
  type TokenizerConfig,
} from './text-tokenizer.js'
import {
  BoolPredicate,
  ExistsPredicate,
  ListPredicate,
  NumberComparePredicate,
  NumberInPredicate,
  StringInPredicate,
  StringNotEqualsPredicate,
  StringOrderPredicate,
  TimestampPredicate,
  UrlInPredicate,
  type ListSource,
  type Ordering,
} from './value-predicates.js'

/** How a `stream "<hash>"` or `tags "<hash>"` reference resolves. */
export type Resolution =
  | { readonly kind: 'found'; readonly definition: CompiledDefinition }
  | { readonly kind: 'cycle'; readonly path: readonly string[] }
  | { readonly kind: 'missing' }

/** Where compiled definitions are looked up by hash (a StreamRegistry, csdl.md §7). */
export interface DefinitionResolver {
  resolve(hash: string): Resolution
}

export interface CompileOptions {
  readonly limits?: ParseLimits
  readonly resolver?: DefinitionResolver
  readonly lists?: ListSource
  /** Register under this hash instead of the canonical one (e.g. a hash a conformance suite chose). */
  readonly hash?: string
}

/** The outcome of compiling: a definition, or every diagnostic with line and column. */
export type CompileResult =
  | { readonly ok: true; readonly definition: CompiledDefinition }
  | { readonly ok: false; readonly diagnostics: readonly PositionedDiagnostic[] }

const NO_STREAMS: DefinitionResolver = { resolve: () => ({ kind: 'missing' }) }

const FATAL: ReadonlySet<DiagnosticCode> = new Set([
  'too_long',
  'too_deep',
  'too_many_conditions',
  'empty_definition',
  'internal',
])

const TEXT_SWITCH_OPERATORS: ReadonlySet<CsdlOperator> = new Set([
  'contains',
  'contains_any',
  'contains_all',
  'contains_near',
])
const TAG_LABEL = /^[A-Za-z0-9 _-]+$/
const TAG_NAMESPACE = /^[A-Za-z_-]+$/
const GEO_POLYGON_MAX_VERTICES = 32
// Private-use stand-ins that keep wildcard characters inside words while tokenizing a pattern.
const STAR = '\uE000'
const QUESTION = '\uE001'

const TYPE_NAMES: Readonly<Record<CsdlType, string>> = {
  string: 'a string',
  int: 'an integer',
  float: 'a float',
  geo: 'a geo point',
  bool: 'a boolean',
  timestamp: 'a timestamp',
  'array(string)': 'a list of strings',
  'array(int)': 'a list of integers',
  any: 'of any type',
}

interface Scope {
  readonly diagnostics: Diagnostic[]
  readonly costs: ConditionCost[]
  readonly references: Set<string>
  readonly referencedCosts: DpuEstimate[]
  readonly resolver: DefinitionResolver
  readonly lists: ListSource | undefined
}

function report(
  scope: Scope,
  code: DiagnosticCode,
  at: { start: number; end: number },
  params: Readonly<Record<string, string | number>> = {},
): undefined {
  scope.diagnostics.push(diagnostic(code, at.start, at.end, params))
  return undefined
}

function argumentKind(a: ArgumentNode): string {
  return a.kind === 'String' ? 'a string' : a.kind === 'Number' ? 'a number' : 'an integer list'
}

function isNumericType(t: CsdlType): boolean {
  return t === 'int' || t === 'float' || t === 'array(int)'
}

function isStringType(t: CsdlType): boolean {
  return t === 'string' || t === 'array(string)'
}

/** Reads switches into a tokenizer configuration; reports bad ones. */
function readSwitches(
  node: ConditionNode,
  scope: Scope,
): { config: TokenizerConfig; caseSwitch: boolean | undefined } | undefined {
  let caseSwitch: boolean | undefined
  let punctuation: PunctuationMode = { kind: 'default' }
  let language: 'none' | 'ja' = 'none'
  const op = node.operator.name
  let ok = true
  for (const s of node.switches) {
    const bad = (detail: string): void => {
      ok = false
      report(scope, 'bad_switch', s, { detail })
    }
    const values = s.values.map((v) => v.toLowerCase())
    switch (s.name) {
      case 'case':
        if (!CASE_SENSITIVE_CAPABLE.has(op)) bad(`[case(…)] does not apply to ${op}.`)
        else if (values.length !== 1 || (values[0] !== 'true' && values[0] !== 'false'))
          bad('Write [case(true)] or [case(false)].')
        else caseSwitch = values[0] === 'true'
        break
      case 'keep':
      case 'drop':
        if (!TEXT_SWITCH_OPERATORS.has(op))
          bad(
            `[${s.name}(…)] applies to contains, contains_any, contains_all and contains_near only.`,
          )
        else punctuation = readPunctuation(s, values, bad) ?? punctuation
        break
      case 'language':
        if (!TEXT_SWITCH_OPERATORS.has(op))
          bad(
            '[language(…)] applies to contains, contains_any, contains_all and contains_near only.',
          )
        else if (values.length !== 1 || (values[0] !== 'ja' && values[0] !== 'none'))
          bad('Write [language(ja)] or [language(none)].')
        else language = values[0] === 'ja' ? 'ja' : 'none'
        break
      default:
        bad(`Unknown switch [${s.name}(…)]: the switches are case, keep, drop and language.`)
    }
  }
  if (!ok) return undefined
  const caseSensitive = node.caseSensitive || caseSwitch === true
  return { config: { caseSensitive, punctuation, language }, caseSwitch }
}

function readPunctuation(
  s: SwitchNode,
  values: readonly string[],
  bad: (detail: string) => void,
): PunctuationMode | undefined {
  if (
    s.name === 'keep' &&
    values.length === 1 &&
    (values[0] === 'default' || values[0] === 'classic' || values[0] === 'extended')
  )
    return { kind: values[0] }
  const categories: string[] = []
  for (const v of s.values) {
    const c = PUNCTUATION_CATEGORIES.find((k) => k.toLowerCase() === v.toLowerCase())
    if (c === undefined) {
      bad(
        `[${s.name}(${s.values.join(',')})]: use default, classic or extended${s.name === 'drop' ? '' : ''}, or Unicode categories such as Pd, Pe, Po.`,
      )
      return undefined
    }
    categories.push(c)
  }
  if (categories.length === 0) {
    bad(`[${s.name}()] needs a value.`)
    return undefined
  }
  return s.name === 'keep' ? { kind: 'keep', categories } : { kind: 'drop', categories }
}

/** The phrases of a text argument, tokenized like the target. */
function phrasesOf(raw: string, list: boolean, config: TokenizerConfig): string[][] {
  const items = list ? splitUnescaped(raw, ',').map((i) => i.trim()) : [decodeString(raw)]
  const out: string[][] = []
  const seen = new Set<string>()
  for (const item of items) {
    const tokens = tokenize(item, config)
    const key = tokens.join('\u0001')
    if (tokens.length > 0 && !seen.has(key)) {
      seen.add(key)
      out.push(tokens)
    }
  }
  return out
}

function countWords(raw: string): number {
  // csdl.md §11.2: a "#word" item counts as two words.
  return splitUnescaped(raw, ',').reduce(
    (n, item) => n + (item.trim() === '' ? 0 : item.trim().startsWith('#') ? 2 : 1),
    0,
  )
}

function parseCoordinates(text: string): GeoPoint | undefined {
  const parts = text.split(',')
  if (parts.length !== 2) return undefined
  const [lat, lon] = parts.map((p) => p.trim())
  if (
    lat === undefined ||
    lon === undefined ||
    !/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(lat) ||
    !/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(lon)
  )
    return undefined
  return { latitude: Number(lat), longitude: Number(lon) }
}

function checkPoint(
  p: GeoPoint | undefined,
  text: string,
  scope: Scope,
  at: ArgumentNode,
): GeoPoint | undefined {
  if (p === undefined)
    return report(scope, 'bad_geo', at, {
      detail: `"${text}" is not "latitude,longitude" in decimal degrees.`,
    })
  if (Math.abs(p.latitude) > 90)
    return report(scope, 'bad_geo', at, {
      detail: `Latitude ${p.latitude} is out of range (-90 to 90); coordinates are latitude first.`,
    })
  if (Math.abs(p.longitude) > 180)
    return report(scope, 'bad_geo', at, {
      detail: `Longitude ${p.longitude} is out of range (-180 to 180).`,
    })
  return p
}

/**
 * A literal every match of the regex must contain, for indexing (never for deciding): the
 * longest run of plain characters at the top level of a pattern without top-level alternation.
 */
export function requiredLiteral(pattern: string): { text: string; fold: boolean } | undefined {
  let p = pattern
  let fold = false
  if (p.startsWith('(?i)')) {
    fold = true
    p = p.slice(4)
  }
  if (/\(\?[a-zA-Z]*i/.test(p)) return undefined
  let depth = 0
  let best = ''
  let run = ''
  const close = (): void => {
    if (run.length > best.length) best = run
    run = ''
  }
  for (let i = 0; i < p.length; i++) {
    const ch = p[i] ?? ''
    const next = p[i + 1] ?? ''
    const optional =
      next === '?' || next === '*' || (next === '{' && /^\{0[,}]/.test(p.slice(i + 1)))
    if (ch === '\\') {
      const esc = p[i + 1] ?? ''
      i++
      if (
        /[.*+?()[\]{}|^$\\/\-#&~ ]/.test(esc) &&
        depth === 0 &&
        !(p[i + 1] === '?' || p[i + 1] === '*')
      )
        run += esc
      else close()
      continue
    }
    if (ch === '(') {
      close()
      depth++
      continue
    }
    if (ch === ')') {
      depth--
      close()
      continue
    }
    if (ch === '|') {
      if (depth === 0) return undefined
      continue
    }
    if (ch === '[') {
      close()
      const end = p.indexOf(']', i + 2)
      if (end === -1) return undefined
      i = end
      continue
    }
    if (depth > 0) continue
    if ('.^$*+?{}'.includes(ch)) {
      close()
      if (ch === '{') i = Math.max(i, p.indexOf('}', i))
      continue
    }
    if (optional) {
      close()
      continue
    }
    run += ch
  }
  close()
  if (best.length < 3) return undefined
  return { text: fold ? best.toLowerCase() : best, fold }
}

class ConditionCompiler {
  constructor(private readonly scope: Scope) {}

  compile(node: ConditionNode): FilterExpr | undefined {
    const { scope } = this
    const op = node.operator.name
    const path = node.target.text
    const entry = lookupTarget(path)
    if (entry === undefined) {
      const ns = path.split('.')[0] ?? ''
      const candidates = [...TARGET_CATALOG.keys()].filter(
        (p) => p.startsWith(`${ns}.`) || p.split('.')[1] === path.split('.')[1],
      )
      return report(scope, 'unknown_target', node.target, {
        target: path,
        hint: suggestion(path, candidates.length > 0 ? candidates : TARGET_CATALOG.keys()),
      })
    }
    if (!entry.operators.has(op))
      return report(scope, 'operator_not_allowed', node.operator, {
        operator: node.operator.written,
        target: path,
        type: TYPE_NAMES[entry.csdlType],
        allowed: [...entry.operators].join(', '),
      })
    if (node.caseSensitive && !CASE_SENSITIVE_CAPABLE.has(op))
      return report(scope, 'cs_not_allowed', node.operator, { operator: op })
    const switches = readSwitches(node, scope)
    if (switches === undefined) return undefined
    const binding = bindTarget(path)
    if (binding === undefined) return undefined
    const predicate = this.predicate(node, entry, binding, switches.config)
    return predicate === undefined ? undefined : { kind: 'predicate', predicate }
  }

  private cost(node: ConditionNode, items: number, length = 0): void {
    this.scope.costs.push({ operator: node.operator.name, target: node.target.text, items, length })
  }

  private needString(node: ConditionNode, what = 'a string in double quotes'): string | undefined {
    const a = node.argument
    if (a?.kind === 'String') return a.raw
    if (a !== undefined)
      report(this.scope, 'argument_type', a, {
        operator: node.operator.written,
        target: node.target.text,
        expected: what,
        found: argumentKind(a),
      })
    return undefined
  }

  private predicate(
    node: ConditionNode,
    entry: CatalogEntry,
    target: TargetBinding,
    config: TokenizerConfig,
  ): Predicate | undefined {
    const { scope } = this
    const op = node.operator.name
    const arg = node.argument
    const cs = config.caseSensitive
    switch (op) {
      case 'contains':
      case 'contains_any':
      case 'contains_all': {
        const raw = this.needString(node)
        if (raw === undefined) return undefined
        const phrases = phrasesOf(raw, op !== 'contains', config)
        if (phrases.length === 0)
          return report(scope, 'empty_argument', arg ?? node, {
            operator: op,
            what: op === 'contains' ? 'word' : 'item',
          })
        this.cost(node, op === 'contains' ? 1 : countWords(raw))
        return new PhrasePredicate(
          target,
          tokenView(target, config),
          phrases,
          op === 'contains_all' ? 'all' : 'any',
        )
      }
      case 'contains_near': {
        const raw = this.needString(node, 'a string "word1,word2:span"')
        if (raw === undefined || arg === undefined) return undefined
        const parts = splitRaw(raw, ':')
        if (parts.length !== 2)
          return report(scope, 'near_syntax', arg, {
            detail:
              'contains_near takes "word1,word2,…:span", e.g. "oracle,database:5": the span after a colon is required.',
          })
        const span = (parts[1] ?? '').trim()
        if (!/^\d+$/.test(span) || Number(span) < 1)
          return report(scope, 'near_syntax', arg, {
            detail: `The span of contains_near must be a whole number of words of at least 1, not "${span}".`,
          })
        const words: string[][] = []
        for (const item of splitUnescaped(parts[0] ?? '', ',').map((w) => w.trim())) {
          if (item === '') continue
          if (/\s/.test(item))
            return report(scope, 'near_syntax', arg, {
              detail: `contains_near items are single words; "${item}" has a space. Use contains for phrases.`,
            })
          const tokens = tokenize(item, config)
          if (tokens.length > 0) words.push(tokens)
        }
        if (words.length === 0)
          return report(scope, 'empty_argument', arg, { operator: op, what: 'word' })
        this.cost(node, words.length)
        return new NearPredicate(target, tokenView(target, config), words, Number(span))
      }
      case 'wildcard': {
        const raw = this.needString(node)
        if (raw === undefined || arg === undefined) return undefined
        const wordConfig: TokenizerConfig = { ...DEFAULT_TOKENIZER, caseSensitive: cs }
        const patterns: string[][] = []
        for (const item of splitUnescaped(raw, ',').map((i) => i.trim())) {
          if (item === '') continue
          if (!/[^*?\s]/.test(item))
            return report(scope, 'bad_wildcard', arg, {
              detail: `The wildcard pattern "${item}" needs at least one character besides * and ?.`,
            })
          const hidden = item.replaceAll('*', STAR).replaceAll('?', QUESTION)
          patterns.push(
            tokenize(hidden, wordConfig).map((tk) =>
              tk.replaceAll(STAR, '*').replaceAll(QUESTION, '?'),
            ),
          )
        }
        if (patterns.length === 0)
          return report(scope, 'empty_argument', arg, { operator: op, what: 'pattern' })
        this.cost(node, patterns.length)
        return new WildcardPredicate(target, tokenView(target, wordConfig), patterns)
      }
      case 'substr': {
        const raw = this.needString(node)
        if (raw === undefined || arg === undefined) return undefined
        const needle = decodeString(raw)
        if (needle === '')
          return report(scope, 'empty_argument', arg, { operator: op, what: 'character' })
        this.cost(node, 1)
        return new SubstrPredicate(target, needle, cs)
      }
      case 'regex_partial':
      case 'regex_exact': {
        const raw = this.needString(node, 'a regular expression in double quotes')
        if (raw === undefined || arg === undefined) return undefined
        const pattern = decodeString(raw)
        let re: RE2JS
        try {
          re = RE2JS.compile(pattern)
        } catch (e) {
          return report(scope, 'bad_regex', arg, {
            reason: (e instanceof Error ? e.message : String(e)).replace(
              /^error parsing regexp: /,
              '',
            ),
          })
        }
        this.cost(node, 1, pattern.length)
        return new RegexPredicate(
          target,
          re,
          pattern,
          op === 'regex_exact',
          op === 'regex_partial' ? requiredLiteral(pattern) : undefined,
        )
      }
      case 'in':
        return this.inPredicate(node, entry, target, cs)
      case '==':
      case '!=':
      case '>':
      case '>=':
      case '<':
      case '<=':
        return this.comparison(node, entry, target, cs)
      case 'url_in': {
        const raw = this.needString(node, 'a list of URLs in double quotes')
        if (raw === undefined || arg === undefined) return undefined
        const urls = new Set(
          splitUnescaped(raw, ',')
            .map((u) => u.trim())
            .filter((u) => u !== '')
            .map(normalizeUrl),
        )
        if (urls.size === 0)
          return report(scope, 'empty_argument', arg, { operator: op, what: 'URL' })
        this.cost(node, urls.size)
        return new UrlInPredicate(target, urls)
      }
      case 'exists':
        this.cost(node, 0)
        return new ExistsPredicate(target)
      case 'geo_box':
      case 'geo_radius':
      case 'geo_polygon':
        return this.geo(node, target)
      case 'list_in':
      case 'list_any': {
        const raw = this.needString(node, 'a dynamic list id in double quotes')
        if (raw === undefined || arg === undefined) return undefined
        const id = decodeString(raw).trim()
        const lists = scope.lists
        if (lists?.items(id) === undefined) return report(scope, 'unknown_list', arg, { id })
        this.cost(node, 1)
        const view = tokenView(target, config)
        let cached: { version: number; predicate: PhrasePredicate | undefined } | undefined
        const anyTest = (ctx: EvalContext, items: readonly string[]): boolean => {
          if (cached?.version !== lists.version) {
            const phrases = items.map((i) => tokenize(i.trim(), config)).filter((p) => p.length > 0)
            cached = {
              version: lists.version,
              predicate:
                phrases.length === 0
                  ? undefined
                  : new PhrasePredicate(target, view, phrases, 'any'),
            }
          }
          return cached.predicate?.test(ctx) ?? false
        }
        return new ListPredicate(
          target,
          lists,
          id,
          op === 'list_in' ? 'in' : 'any',
          op === 'list_any' ? anyTest : undefined,
        )
      }
    }
  }

  private inPredicate(
    node: ConditionNode,
    entry: CatalogEntry,
    target: TargetBinding,
    cs: boolean,
  ): Predicate | undefined {
    const { scope } = this
    const arg = node.argument
    const t = entry.csdlType
    if (arg?.kind === 'IntList') {
      if (isStringType(t))
        return report(scope, 'argument_type', arg, {
          operator: 'in',
          target: node.target.text,
          expected: 'a list of strings like "a, b"',
          found: 'an integer list',
        })
      const values = new Set<string>()
      for (const item of arg.items) {
        if (!/^[+-]?\d+$/.test(item.text))
          return report(scope, 'float_in_list', item, { text: item.text })
        values.add(BigInt(item.text).toString())
      }
      this.cost(node, values.size)
      return new NumberInPredicate(target, values, [...values].sort().join(','))
    }
    if (arg?.kind === 'String') {
      if (isNumericType(t)) {
        // An integer target with a quoted list: accept it when every item is an integer.
        const items = splitUnescaped(arg.raw, ',')
          .map((i) => i.trim())
          .filter((i) => i !== '')
        if (items.length > 0 && items.every((i) => /^[+-]?\d+$/.test(i))) {
          const values = new Set(items.map((i) => BigInt(i).toString()))
          this.cost(node, values.size)
          return new NumberInPredicate(target, values, [...values].sort().join(','))
        }
        return report(scope, 'argument_type', arg, {
          operator: 'in',
          target: node.target.text,
          expected: 'a list of integers like [1, 2]',
          found: 'a string',
        })
      }
      const values = splitList(arg.raw, cs)
      if (values.size === 0)
        return report(scope, 'empty_argument', arg, { operator: 'in', what: 'item' })
      this.cost(node, values.size)
      return new StringInPredicate(target, values, cs, identityOf(values))
    }
    if (arg !== undefined)
      return report(scope, 'argument_type', arg, {
        operator: 'in',
        target: node.target.text,
        expected: 'a list in double quotes or [integers]',
        found: argumentKind(arg),
      })
    return undefined
  }

  private comparison(
    node: ConditionNode,
    entry: CatalogEntry,
    target: TargetBinding,
    cs: boolean,
  ): Predicate | undefined {
    const { scope } = this
    const op = node.operator.name as Ordering | '==' | '!='
    const arg = node.argument
    const t = entry.csdlType
    if (arg === undefined) return undefined
    const wrong = (expected: string): undefined =>
      report(scope, 'argument_type', arg, {
        operator: node.operator.written,
        target: node.target.text,
        expected,
        found: argumentKind(arg),
      })
    if (arg.kind === 'IntList')
      return wrong(isNumericType(t) ? 'a number' : 'a string in double quotes')
    this.cost(node, 1)
    if (t === 'bool') {
      if (op !== '==' && op !== '!=') return wrong('true or false')
      const v = arg.kind === 'Number' ? arg.value : decodeString(arg.raw).trim().toLowerCase()
      const b =
        v === 1 || v === 'true' || v === '1'
          ? true
          : v === 0 || v === 'false' || v === '0'
            ? false
            : undefined
      if (b === undefined) return wrong('"true", "false", 1 or 0')
      return new BoolPredicate(target, b, op === '!=')
    }
    if (t === 'timestamp') {
      if (arg.kind !== 'Number') return wrong('a number of Unix seconds')
      return new TimestampPredicate(target, op, arg.value)
    }
    if (arg.kind === 'Number') {
      // A malformed number was already reported by the lexer.
      if (Number.isNaN(arg.value)) return undefined
      if (isStringType(t)) return wrong('a string in double quotes')
      if (!Number.isFinite(arg.value)) return wrong('a finite number')
      const exact =
        /^[+-]?\d+$/.test(arg.text) && !Number.isSafeInteger(arg.value)
          ? BigInt(arg.text)
          : arg.value
      return new NumberComparePredicate(target, op, exact)
    }
    if (isNumericType(t)) return wrong('a number')
    const value = decodeString(arg.raw)
    const folded = cs ? value : value.toLowerCase()
    if (op === '==') return new StringInPredicate(target, new Set([folded]), cs, folded)
    if (op === '!=') return new StringNotEqualsPredicate(target, folded, cs)
    return new StringOrderPredicate(target, op, folded, cs)
  }

  private geo(node: ConditionNode, target: TargetBinding): Predicate | undefined {
    const { scope } = this
    const op = node.operator.name
    const raw = this.needString(
      node,
      `a string like ${op === 'geo_box' ? '"51.7,-0.5:51.3,0.3"' : op === 'geo_radius' ? '"48.85,2.35:15"' : '"37.8,-122.5:37.8,-122.3:37.7,-122.3"'}`,
    )
    const arg = node.argument
    if (raw === undefined || arg === undefined) return undefined
    const parts = decodeString(raw)
      .split(':')
      .map((p) => p.trim())
    if (op === 'geo_radius') {
      if (parts.length !== 2)
        return report(scope, 'bad_geo', arg, {
          detail: 'geo_radius takes "latitude,longitude:radius_km", e.g. "48.8566,2.3522:15".',
        })
      const center = checkPoint(parseCoordinates(parts[0] ?? ''), parts[0] ?? '', scope, arg)
      const r = Number(parts[1])
      if (center === undefined) return undefined
      if (!/^[+]?(\d+(\.\d*)?|\.\d+)$/.test(parts[1] ?? '') || !(r > 0))
        return report(scope, 'bad_geo', arg, {
          detail: `The radius must be a positive number of kilometres, not "${parts[1] ?? ''}".`,
        })
      this.cost(node, 1)
      return new GeoRadiusPredicate(target, center, r)
    }
    const points: GeoPoint[] = []
    for (const part of parts) {
      const p = checkPoint(parseCoordinates(part), part, scope, arg)
      if (p === undefined) return undefined
      points.push(p)
    }
    if (op === 'geo_box') {
      const [nw, se] = points
      if (points.length !== 2 || nw === undefined || se === undefined)
        return report(scope, 'bad_geo', arg, {
          detail:
            'geo_box takes the north-west and south-east corners, "lat,lon:lat,lon", e.g. "51.7,-0.5:51.3,0.3".',
        })
      if (nw.latitude < se.latitude)
        return report(scope, 'bad_geo', arg, {
          detail: `The first corner must be the north-west one: latitude ${nw.latitude} is south of ${se.latitude}.`,
        })
      this.cost(node, 2)
      return new GeoBoxPredicate(target, nw, se)
    }
    const first = points[0]
    const last = points[points.length - 1]
    // A closing vertex repeating the first is allowed and not counted (csdl.md §4.15).
    const vertices =
      points.length > 3 &&
      first !== undefined &&
      last !== undefined &&
      first.latitude === last.latitude &&
      first.longitude === last.longitude
        ? points.slice(0, -1)
        : points
    if (vertices.length < 3 || vertices.length > GEO_POLYGON_MAX_VERTICES)
      return report(scope, 'polygon_vertices', arg, {
        limit: GEO_POLYGON_MAX_VERTICES,
        count: vertices.length,
      })
    this.cost(node, vertices.length)
    return new GeoPolygonPredicate(target, vertices)
  }
}

/** The items of a string list, trimmed, empty ones dropped, case-folded unless case-sensitive. */
/** Lists longer than this (in characters) are held compactly (see CompactStringSet). */
const COMPACT_LIST_CHARS = 1 << 16

function splitList(raw: string, caseSensitive: boolean): StringSet {
  const escaped = raw.indexOf('\\') !== -1
  if (!escaped && raw.length > COMPACT_LIST_CHARS)
    return new CompactStringSet(caseSensitive ? raw : raw.toLowerCase())
  const out = new Set<string>()
  for (const item of escaped ? splitUnescaped(raw, ',') : raw.split(',')) {
    const v = item.trim()
    if (v !== '') out.add(caseSensitive ? v : v.toLowerCase())
  }
  return out
}

let nextListIdentity = 0
const SMALL_LIST = 64

/** A key for a value set: the items themselves when few, else a unique id (huge lists are not shared). */
function identityOf(values: StringSet): string {
  return values.size <= SMALL_LIST
    ? [...values].sort().join('\u0001')
    : `#list${nextListIdentity++}:${values.size}`
}

function compileExpr(
  node: ExprNode,
  scope: Scope,
  conditions: ConditionCompiler,
): FilterExpr | undefined {
  switch (node.kind) {
    case 'Condition':
      return conditions.compile(node)
    case 'Not': {
      const operand = compileExpr(node.operand, scope, conditions)
      return operand === undefined ? undefined : { kind: 'not', operand }
    }
    case 'And':
    case 'Or': {
      const operands = node.operands.map((o) => compileExpr(o, scope, conditions))
      if (operands.some((o) => o === undefined)) return undefined
      return { kind: node.kind === 'And' ? 'and' : 'or', operands: operands as FilterExpr[] }
    }
    case 'Invalid':
      // Already reported by the parser.
      return undefined
    case 'StreamRef': {
      if (!isStreamHash(node.hash)) return report(scope, 'bad_hash', node, { hash: node.hash })
      const hash = node.hash.toLowerCase()
      const r = scope.resolver.resolve(hash)
      if (r.kind === 'missing') return report(scope, 'unknown_stream', node, { hash })
      if (r.kind === 'cycle')
        return report(scope, 'stream_cycle', node, { hash, path: r.path.join(' → ') })
      if (r.definition.filter === undefined)
        return report(scope, 'stream_is_tag_only', node, { hash })
      scope.references.add(hash)
      scope.referencedCosts.push(r.definition.dpu)
      return { kind: 'stream', hash, filter: r.definition.filter }
    }
  }
}

function compileTagRule(
  rule: TagRuleNode,
  scope: Scope,
  conditions: ConditionCompiler,
  seen: Map<string, TagRuleNode>,
): CompiledTagRule | undefined {
  let ok = true
  for (const seg of rule.namespace)
    if (!TAG_NAMESPACE.test(seg)) {
      ok = false
      report(scope, 'bad_namespace', rule, { segment: seg })
    }
  const label = rule.label
  if (label.kind === 'Score') {
    if (rule.namespace.length === 0) {
      ok = false
      report(scope, 'score_without_namespace', label, { score: label.text })
    }
    if (!Number.isFinite(label.value))
      ok = report(scope, 'bad_number', label, { text: label.text }) ?? false
  } else if (!TAG_LABEL.test(label.text)) {
    ok = false
    report(scope, 'bad_tag_label', label, { label: label.text })
  } else {
    const key = `${rule.namespace.join('.')}\u0000${label.text}`
    if (seen.has(key)) {
      ok = false
      report(scope, 'duplicate_tag', label, {
        label: label.text,
        namespace: rule.namespace.length === 0 ? '' : ` in tag.${rule.namespace.join('.')}`,
      })
    } else seen.set(key, rule)
  }
  const expr = compileExpr(rule.body, scope, conditions)
  if (!ok || expr === undefined) return undefined
  return {
    namespace: rule.namespace,
    label:
      label.kind === 'Score'
        ? { kind: 'score', value: label.value }
        : { kind: 'label', text: label.text },
    expr,
  }
}

function compileDefinition(
  def: DefinitionNode,
  source: string,
  scope: Scope,
  hash: string | undefined,
): CompiledDefinition | undefined {
  const conditions = new ConditionCompiler(scope)
  const tagRules: CompiledTagRule[] = []
  const seen = new Map<string, TagRuleNode>()
  let localRules = 0
  for (const s of def.statements) {
    if (s.kind === 'TagRule') {
      localRules++
      const r = compileTagRule(s, scope, conditions, seen)
      if (r !== undefined) tagRules.push(r)
      continue
    }
    if (!isStreamHash(s.hash)) {
      report(scope, 'bad_hash', s, { hash: s.hash })
      continue
    }
    const h = s.hash.toLowerCase()
    const r = scope.resolver.resolve(h)
    if (r.kind === 'missing') report(scope, 'unknown_tags', s, { hash: h })
    else if (r.kind === 'cycle')
      report(scope, 'stream_cycle', s, { hash: h, path: r.path.join(' → ') })
    else if (r.definition.filter !== undefined) report(scope, 'tags_not_tag_only', s, { hash: h })
    else {
      scope.references.add(h)
      for (const imported of r.definition.tagRules) {
        if (imported.label.kind === 'label') {
          const key = `${imported.namespace.join('.')}\u0000${imported.label.text}`
          if (seen.has(key))
            report(scope, 'duplicate_tag', s, {
              label: imported.label.text,
              namespace:
                imported.namespace.length === 0 ? '' : ` in tag.${imported.namespace.join('.')}`,
            })
        }
        tagRules.push(imported)
      }
    }
  }
  const filter = def.filter === undefined ? undefined : compileExpr(def.filter, scope, conditions)
  if (scope.diagnostics.length > 0) return undefined
  return {
    hash: hash ?? streamHash(source),
    source,
    canonical: canonicalForm(source),
    filter,
    tagRules,
    dpu: estimateDpu(scope.costs, localRules, scope.referencedCosts),
    references: [...scope.references],
  }
}

/**
 * Compiles a CSDL definition: parses it (csdl.md §1–§2), checks every condition against the
 * target catalog (unknown targets, operators not allowed on a type, malformed arguments:
 * regexes, geo, polygon vertices, contains_near spans, lists), resolves stream references and
 * tag imports through the resolver, and builds predicates with the semantics of §3–§8.
 * Reports every error it can find, each with line, column and an actionable message.
 * Never throws.
 *
 * @example
 * const r = compile('interaction.content contains "scooter" and language.tag == "en"')
 * if (r.ok) r.definition.hash // 32 hex digits
 */
export function compile(source: string, options: CompileOptions = {}): CompileResult {
  try {
    const parsed = parse(source, options.limits ?? DEFAULT_LIMITS)
    // Limits are reported alone: a tree past them is not worth checking.
    const fatal = parsed.diagnostics.some((d) => FATAL.has(d.code))
    if (parsed.definition === undefined || fatal)
      return { ok: false, diagnostics: positioned(source, parsed.diagnostics) }
    const scope: Scope = {
      diagnostics: [...parsed.diagnostics],
      costs: [],
      references: new Set(),
      referencedCosts: [],
      resolver: options.resolver ?? NO_STREAMS,
      lists: options.lists,
    }
    const definition = compileDefinition(parsed.definition, source, scope, options.hash)
    if (definition === undefined)
      return { ok: false, diagnostics: positioned(source, scope.diagnostics) }
    return { ok: true, definition }
  } catch (e) {
    return {
      ok: false,
      diagnostics: positioned(source, [
        diagnostic('internal', 0, 0, { detail: e instanceof Error ? e.message : String(e) }),
      ]),
    }
  }
}
