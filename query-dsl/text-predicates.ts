import { type RE2JS } from 're2js'
import type { EvalContext, TokenView } from './eval-context.js'
import type { Predicate, Trigger } from './predicate.js'
import {
  anyOf,
  phraseProbability,
  presenceProbability,
  substringProbability,
} from './probability.js'
import type { TargetBinding } from './target-binding.js'
import { isPunctuationToken, tokenizerKey } from './text-tokenizer.js'

/** True when `phrase` occurs in `tokens` starting at `at`. */
function phraseAt(tokens: readonly string[], phrase: readonly string[], at: number): boolean {
  if (at + phrase.length > tokens.length) return false
  for (let k = 0; k < phrase.length; k++) if (tokens[at + k] !== phrase[k]) return false
  return true
}

/** Phrases grouped by first token, so a text is scanned once whatever the number of phrases. */
function byFirstToken(
  phrases: readonly (readonly string[])[],
): ReadonlyMap<string, readonly number[]> {
  const m = new Map<string, number[]>()
  phrases.forEach((p, i) => {
    const first = p[0]
    if (first === undefined) return
    const list = m.get(first)
    if (list === undefined) m.set(first, [i])
    else list.push(i)
  })
  return m
}

/**
 * contains, contains_any, contains_all (csdl.md §4.1, §4.3, §4.4): the argument's token
 * sequence(s) occur as consecutive tokens of one of the target's texts. `any` holds when one
 * phrase occurs, `all` when every phrase occurs (each in any text of the target).
 */
export class PhrasePredicate implements Predicate {
  readonly key: string
  readonly cost: number
  readonly probability: number
  readonly triggers: readonly Trigger[]
  readonly exactTriggers: boolean
  private readonly index: ReadonlyMap<string, readonly number[]>

  constructor(
    readonly target: TargetBinding,
    private readonly view: TokenView,
    readonly phrases: readonly (readonly string[])[],
    private readonly mode: 'any' | 'all',
  ) {
    this.index = byFirstToken(phrases)
    const items = phrases.map((p) => p.join('\u0001'))
    this.key = `phrase:${mode}|${target.path}|${tokenizerKey(view.config)}|${(mode === 'any' ? [...items].sort() : items).join('\u0002')}`
    this.cost = 3 + phrases.length * 0.05
    const probs = phrases.map((p) => phraseProbability(target.path, p))
    if (mode === 'any') {
      this.triggers = phrases.map((tokens) => ({ kind: 'phrase', view, tokens }))
      this.exactTriggers = true
      this.probability = anyOf(probs)
    } else {
      // Every phrase must occur, so the rarest-looking one is a necessary trigger.
      let best = 0
      probs.forEach((p, i) => {
        if (p < (probs[best] ?? 1)) best = i
      })
      this.triggers = [{ kind: 'phrase', view, tokens: phrases[best] ?? [] }]
      this.exactTriggers = phrases.length === 1
      this.probability = Math.min(...probs)
    }
  }

  test(ctx: EvalContext): boolean {
    const texts = ctx.tokens(this.view)
    if (texts === undefined) return false
    if (this.mode === 'any') {
      for (const tokens of texts)
        for (let i = 0; i < tokens.length; i++) {
          const candidates = this.index.get(tokens[i] ?? '')
          if (candidates !== undefined)
            for (const c of candidates) if (phraseAt(tokens, this.phrases[c] ?? [], i)) return true
        }
      return false
    }
    const found = new Uint8Array(this.phrases.length)
    let missing = this.phrases.length
    for (const tokens of texts)
      for (let i = 0; i < tokens.length; i++) {
        const candidates = this.index.get(tokens[i] ?? '')
        if (candidates === undefined) continue
        for (const c of candidates)
          if (found[c] === 0 && phraseAt(tokens, this.phrases[c] ?? [], i)) {
            found[c] = 1
            if (--missing === 0) return true
          }
      }
    return false
  }
}

/**
 * contains_near "w1,w2,…:SPAN" (csdl.md §4.5): every word occurs within some window of SPAN
 * consecutive words, in any order. Positions count words only: punctuation tokens take none.
 */
export class NearPredicate implements Predicate {
  readonly key: string
  readonly cost = 6
  readonly probability: number
  readonly triggers: readonly Trigger[]
  readonly exactTriggers = false

  constructor(
    readonly target: TargetBinding,
    private readonly view: TokenView,
    private readonly words: readonly (readonly string[])[],
    private readonly span: number,
  ) {
    this.key = `near|${target.path}|${tokenizerKey(view.config)}|${words.map((w) => w.join('\u0001')).join('\u0002')}|${span}`
    const probs = words.map((w) => phraseProbability(target.path, w))
    let best = 0
    probs.forEach((p, i) => {
      if (p < (probs[best] ?? 1)) best = i
    })
    this.triggers = [{ kind: 'phrase', view, tokens: words[best] ?? [] }]
    this.probability = Math.min(...probs)
  }

  test(ctx: EvalContext): boolean {
    const texts = ctx.tokens(this.view)
    if (texts === undefined) return false
    for (const tokens of texts) if (this.inWindow(tokens)) return true
    return false
  }

  private inWindow(tokens: readonly string[]): boolean {
    // Word positions of each occurrence of each searched word, in text order.
    const hits: [number, number][] = []
    let position = 0
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i] ?? ''
      this.words.forEach((w, k) => {
        if (phraseAt(tokens, w, i)) hits.push([position, k])
      })
      if (!isPunctuationToken(t)) position++
    }
    // Smallest window covering one occurrence of every word (two pointers over the hits).
    const need = this.words.length
    const count = new Array<number>(need).fill(0)
    let covered = 0
    let left = 0
    for (const [pos, k] of hits) {
      if ((count[k] = (count[k] ?? 0) + 1) === 1) covered++
      while (covered === need) {
        const [leftPos, leftWord] = hits[left] ?? [0, 0]
        if (pos - leftPos + 1 <= this.span) return true
        if ((count[leftWord] = (count[leftWord] ?? 0) - 1) === 0) covered--
        left++
      }
    }
    return false
  }
}

function wildcardRegExp(pattern: string, caseSensitive: boolean): RegExp {
  const body = [...pattern]
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('')
  return new RegExp(`^${body}$`, caseSensitive ? 'su' : 'isu')
}

/**
 * wildcard "market*, gr?y" (csdl.md §4.6): like contains_any, but each word of a pattern may use
 * `*` (any run of characters) and `?` (exactly one), matched against whole tokens.
 */
export class WildcardPredicate implements Predicate {
  readonly key: string
  readonly cost = 10
  readonly probability: number
  readonly triggers: readonly Trigger[]
  readonly exactTriggers = false
  private readonly matchers: readonly (readonly RegExp[])[]

  constructor(
    readonly target: TargetBinding,
    private readonly view: TokenView,
    patterns: readonly (readonly string[])[],
  ) {
    this.matchers = patterns.map((p) => p.map((t) => wildcardRegExp(t, view.config.caseSensitive)))
    this.key = `wildcard|${target.path}|${tokenizerKey(view.config)}|${patterns
      .map((p) => p.join('\u0001'))
      .sort()
      .join('\u0002')}`
    this.triggers = [{ kind: 'present', target }]
    this.probability = presenceProbability(target.path) * 0.05
  }

  test(ctx: EvalContext): boolean {
    const texts = ctx.tokens(this.view)
    if (texts === undefined) return false
    for (const tokens of texts)
      for (let i = 0; i < tokens.length; i++)
        for (const m of this.matchers) {
          let k = 0
          while (k < m.length && i + k < tokens.length && m[k]?.test(tokens[i + k] ?? '') === true)
            k++
          if (k === m.length) return true
        }
    return false
  }
}

/** substr (csdl.md §4.2): a plain character sequence anywhere in the text, no tokenisation. */
export class SubstrPredicate implements Predicate {
  readonly key: string
  readonly cost = 2
  readonly probability: number
  readonly triggers: readonly Trigger[]
  readonly exactTriggers = true
  private readonly needle: string

  constructor(
    readonly target: TargetBinding,
    needle: string,
    private readonly caseSensitive: boolean,
  ) {
    this.needle = caseSensitive ? needle : needle.toLowerCase()
    this.key = `substr|${target.path}|${caseSensitive ? 'cs' : 'ci'}|${this.needle}`
    this.triggers = [{ kind: 'substring', target, fold: !caseSensitive, text: this.needle }]
    this.probability = substringProbability(target.path, this.needle)
  }

  test(ctx: EvalContext): boolean {
    const texts = ctx.texts(this.target)
    if (texts === undefined) return false
    for (const t of texts)
      if ((this.caseSensitive ? t : t.toLowerCase()).includes(this.needle)) return true
    return false
  }
}

/**
 * regex_partial / regex_exact (csdl.md §4.11): Google RE2 syntax and semantics (re2js, linear
 * time whatever the pattern, so one user's regex cannot stall the shared plan). Partial finds
 * the pattern anywhere; exact needs it to match the whole value.
 */
export class RegexPredicate implements Predicate {
  readonly key: string
  readonly cost = 25
  readonly probability: number
  readonly triggers: readonly Trigger[]
  readonly exactTriggers = false

  constructor(
    readonly target: TargetBinding,
    private readonly re: RE2JS,
    pattern: string,
    private readonly exact: boolean,
    requiredLiteral: { readonly text: string; readonly fold: boolean } | undefined,
  ) {
    this.key = `regex:${exact ? 'exact' : 'partial'}|${target.path}|${pattern}`
    this.triggers =
      requiredLiteral === undefined
        ? [{ kind: 'present', target }]
        : [{ kind: 'substring', target, fold: requiredLiteral.fold, text: requiredLiteral.text }]
    this.probability =
      requiredLiteral === undefined
        ? presenceProbability(target.path) * 0.1
        : substringProbability(target.path, requiredLiteral.text)
  }

  test(ctx: EvalContext): boolean {
    const texts = ctx.texts(this.target)
    if (texts === undefined) return false
    for (const t of texts) if (this.exact ? this.re.testExact(t) : this.re.test(t)) return true
    return false
  }
}
