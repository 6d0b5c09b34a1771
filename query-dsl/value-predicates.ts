import type { StringSet } from './compact-string-set.js'
import { normalizeUrl } from '../schemas/index.js'
import { isPresent, type EvalContext } from './eval-context.js'
import type { Predicate, Trigger } from './predicate.js'
import { presenceProbability, valueProbability } from './probability.js'
import type { TargetBinding } from './target-binding.js'

// In-lists longer than this are indexed as one set rather than one index entry per item, so a
// list of ten million names costs one lookup per interaction and no per-item index memory.
const ITEMIZED_LIST_LIMIT = 1000

/** `==` and `in` over strings (csdl.md §4.7, §4.8): a whole value equals one of the items. */
export class StringInPredicate implements Predicate {
  readonly key: string
  readonly cost = 1.5
  readonly probability: number
  readonly triggers: readonly Trigger[]
  readonly exactTriggers = true

  constructor(
    readonly target: TargetBinding,
    readonly values: StringSet,
    readonly caseSensitive: boolean,
    identity: string,
  ) {
    this.key = `in:string|${target.path}|${caseSensitive ? 'cs' : 'ci'}|${identity}`
    const fold = !caseSensitive
    this.triggers =
      values.size > ITEMIZED_LIST_LIMIT
        ? [{ kind: 'valueSet', target, fold, values }]
        : [...values].map((value) => ({ kind: 'value', target, fold, value }))
    this.probability = Math.min(0.95, valueProbability(target.path) * values.size)
  }

  test(ctx: EvalContext): boolean {
    const texts = ctx.texts(this.target)
    if (texts === undefined) return false
    for (const t of texts)
      if (this.values.has(this.caseSensitive ? t : t.toLowerCase())) return true
    return false
  }
}

/** `!=` over strings: present, and some value differs (a missing target is never != anything). */
export class StringNotEqualsPredicate implements Predicate {
  readonly key: string
  readonly cost = 1.5
  readonly probability: number
  readonly triggers: readonly Trigger[]
  readonly exactTriggers = false

  constructor(
    readonly target: TargetBinding,
    private readonly value: string,
    private readonly caseSensitive: boolean,
  ) {
    this.key = `ne:string|${target.path}|${caseSensitive ? 'cs' : 'ci'}|${value}`
    this.triggers = [{ kind: 'present', target }]
    this.probability = presenceProbability(target.path)
  }

  test(ctx: EvalContext): boolean {
    const texts = ctx.texts(this.target)
    if (texts === undefined) return false
    for (const t of texts)
      if ((this.caseSensitive ? t : t.toLowerCase()) !== this.value) return true
    return false
  }
}

export type Ordering = '>' | '>=' | '<' | '<='

function ordered(op: Ordering | '==' | '!=', c: number): boolean {
  switch (op) {
    case '>':
      return c > 0
    case '>=':
      return c >= 0
    case '<':
      return c < 0
    case '<=':
      return c <= 0
    case '==':
      return c === 0
    case '!=':
      return c !== 0
  }
}

/** `>` `>=` `<` `<=` with a string argument: code-unit order, case-folded unless cs (csdl.md §4.9, [U]). */
export class StringOrderPredicate implements Predicate {
  readonly key: string
  readonly cost = 1.5
  readonly probability: number
  readonly triggers: readonly Trigger[]
  readonly exactTriggers = false

  constructor(
    readonly target: TargetBinding,
    private readonly op: Ordering,
    private readonly value: string,
    private readonly caseSensitive: boolean,
  ) {
    this.key = `order:string|${target.path}|${op}|${caseSensitive ? 'cs' : 'ci'}|${value}`
    this.triggers = [{ kind: 'present', target }]
    this.probability = presenceProbability(target.path) * 0.5
  }

  test(ctx: EvalContext): boolean {
    const texts = ctx.texts(this.target)
    if (texts === undefined) return false
    for (const t of texts) {
      const v = this.caseSensitive ? t : t.toLowerCase()
      if (ordered(this.op, v < this.value ? -1 : v > this.value ? 1 : 0)) return true
    }
    return false
  }
}

/** Compares a number or bigint with a number or bigint, exactly for integers of any size. */
export function compareNumbers(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0
  const big = typeof a === 'bigint' ? a : (b as bigint)
  const num = typeof a === 'number' ? a : (b as number)
  if (Number.isInteger(num)) {
    const c = big < BigInt(num) ? -1 : big > BigInt(num) ? 1 : 0
    return typeof a === 'bigint' ? c : -c
  }
  const c = Number(big) < num ? -1 : Number(big) > num ? 1 : 0
  return typeof a === 'bigint' ? c : -c
}

/** The canonical decimal form of a number, equal for 5, 5.0 and 5n. */
export function canonicalNumber(n: number | bigint): string {
  if (typeof n === 'bigint') return n.toString()
  return Number.isInteger(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER ? String(n) : String(n)
}

/** `== != > >= < <=` with a number (csdl.md §4.8, §4.9): numeric comparison of any element. */
export class NumberComparePredicate implements Predicate {
  readonly key: string
  readonly cost = 1
  readonly probability: number
  readonly triggers: readonly Trigger[]
  readonly exactTriggers: boolean

  constructor(
    readonly target: TargetBinding,
    readonly op: Ordering | '==' | '!=',
    readonly value: number | bigint,
  ) {
    this.key = `cmp:number|${target.path}|${op}|${canonicalNumber(value)}`
    if (op === '==') {
      this.triggers = [{ kind: 'number', target, value: canonicalNumber(value) }]
      this.exactTriggers = true
      this.probability = valueProbability(target.path)
    } else {
      this.triggers = [{ kind: 'present', target }]
      this.exactTriggers = false
      this.probability = presenceProbability(target.path) * (op === '!=' ? 0.95 : 0.5)
    }
  }

  test(ctx: EvalContext): boolean {
    const numbers = ctx.numbers(this.target)
    if (numbers === undefined) return false
    for (const n of numbers) if (ordered(this.op, compareNumbers(n, this.value))) return true
    return false
  }
}

/** `in [1, 2, 3]` (csdl.md §2.7, §4.7): an integer value equals one of the items. */
export class NumberInPredicate implements Predicate {
  readonly key: string
  readonly cost = 1.5
  readonly probability: number
  readonly triggers: readonly Trigger[]
  readonly exactTriggers = true

  constructor(
    readonly target: TargetBinding,
    private readonly values: ReadonlySet<string>,
    identity: string,
  ) {
    this.key = `in:number|${target.path}|${identity}`
    this.triggers =
      values.size > ITEMIZED_LIST_LIMIT
        ? [{ kind: 'valueSet', target, fold: false, values }]
        : [...values].map((value) => ({ kind: 'number', target, value }))
    this.probability = Math.min(0.95, valueProbability(target.path) * values.size)
  }

  test(ctx: EvalContext): boolean {
    const numbers = ctx.numbers(this.target)
    if (numbers === undefined) return false
    for (const n of numbers) if (this.values.has(canonicalNumber(n))) return true
    return false
  }
}

/** url_in (csdl.md §4.12): a value and an item are equal once both are normalized. */
export class UrlInPredicate implements Predicate {
  readonly key: string
  readonly cost = 3
  readonly probability: number
  readonly triggers: readonly Trigger[]
  readonly exactTriggers = true

  constructor(
    readonly target: TargetBinding,
    private readonly values: ReadonlySet<string>,
  ) {
    this.key = `url_in|${target.path}|${[...values].sort().join('\u0001')}`
    this.triggers = [...values].map((value) => ({ kind: 'url', target, value }))
    this.probability = valueProbability(target.path) * values.size
  }

  test(ctx: EvalContext): boolean {
    const texts = ctx.texts(this.target)
    if (texts === undefined) return false
    for (const t of texts) if (this.values.has(normalizeUrl(t))) return true
    return false
  }
}

/** exists (csdl.md §4.10): the target is present (an empty list counts as absent). */
export class ExistsPredicate implements Predicate {
  readonly key: string
  readonly cost = 0.5
  readonly probability: number
  readonly triggers: readonly Trigger[]
  readonly exactTriggers = true

  constructor(readonly target: TargetBinding) {
    this.key = `exists|${target.path}`
    this.triggers = [{ kind: 'present', target }]
    this.probability = presenceProbability(target.path)
  }

  test(ctx: EvalContext): boolean {
    return isPresent(ctx.value(this.target))
  }
}

/** `==` / `!=` on a bool target, against true/false (or 1/0). */
export class BoolPredicate implements Predicate {
  readonly key: string
  readonly cost = 0.5
  readonly probability: number
  readonly triggers: readonly Trigger[]
  readonly exactTriggers = false

  constructor(
    readonly target: TargetBinding,
    private readonly expected: boolean,
    private readonly negated: boolean,
  ) {
    this.key = `bool|${target.path}|${negated ? '!=' : '=='}|${expected}`
    this.triggers = [{ kind: 'present', target }]
    this.probability = presenceProbability(target.path) * 0.5
  }

  test(ctx: EvalContext): boolean {
    const v = ctx.value(this.target)
    const values = Array.isArray(v) ? (v as readonly unknown[]) : [v]
    for (const item of values) {
      const b =
        item === true || item === 1 || item === 'true'
          ? true
          : item === false || item === 0 || item === 'false'
            ? false
            : undefined
      if (b !== undefined && (b === this.expected) !== this.negated) return true
    }
    return false
  }
}

/** Comparisons of a timestamp target with Unix seconds (values: epoch ms, ISO text, or seconds as text). */
export class TimestampPredicate implements Predicate {
  readonly key: string
  readonly cost = 1
  readonly probability: number
  readonly triggers: readonly Trigger[]
  readonly exactTriggers = false

  constructor(
    readonly target: TargetBinding,
    private readonly op: Ordering | '==' | '!=',
    private readonly seconds: number,
  ) {
    this.key = `time|${target.path}|${op}|${seconds}`
    this.triggers = [{ kind: 'present', target }]
    this.probability = presenceProbability(target.path) * 0.5
  }

  test(ctx: EvalContext): boolean {
    const v = ctx.value(this.target)
    for (const item of Array.isArray(v) ? (v as readonly unknown[]) : [v]) {
      // In-memory interactions hold epoch milliseconds; their JSON form holds ISO-8601 text.
      const ms =
        typeof item === 'number' ? item : typeof item === 'string' ? Date.parse(item) : Number.NaN
      if (Number.isNaN(ms)) continue
      const s = Math.floor(ms / 1000)
      if (ordered(this.op, s < this.seconds ? -1 : s > this.seconds ? 1 : 0)) return true
    }
    return false
  }
}

/** Where dynamic lists (csdl.md §4.16) live: they change without recompiling the filters using them. */
export interface ListSource {
  /** The current items of a list, or undefined when there is no such list. */
  items(id: string): readonly string[] | undefined
  /** Changes whenever any list changes (so predicates can cache their lookup sets). */
  readonly version: number
}

/** list_in / list_any (csdl.md §4.16): `in` or `contains_any` against a dynamic list's current items. */
export class ListPredicate implements Predicate {
  readonly key: string
  readonly cost = 2
  readonly probability: number
  readonly triggers: readonly Trigger[]
  readonly exactTriggers = false
  private cachedVersion = -1
  private set: ReadonlySet<string> = new Set()

  constructor(
    readonly target: TargetBinding,
    private readonly lists: ListSource,
    private readonly id: string,
    private readonly mode: 'in' | 'any',
    private readonly phraseTest:
      ((ctx: EvalContext, items: readonly string[]) => boolean) | undefined,
  ) {
    this.key = `list:${mode}|${target.path}|${id}`
    this.triggers = [{ kind: 'present', target }]
    this.probability = presenceProbability(target.path) * 0.1
  }

  test(ctx: EvalContext): boolean {
    const items = this.lists.items(this.id) ?? []
    if (this.mode === 'any') return this.phraseTest?.(ctx, items) ?? false
    if (this.cachedVersion !== this.lists.version) {
      this.set = new Set(items.map((i) => i.trim().toLowerCase()))
      this.cachedVersion = this.lists.version
    }
    const texts = ctx.texts(this.target)
    if (texts !== undefined) for (const t of texts) if (this.set.has(t.toLowerCase())) return true
    const numbers = ctx.numbers(this.target)
    if (numbers !== undefined)
      for (const n of numbers) if (this.set.has(canonicalNumber(n))) return true
    return false
  }
}
