import { stripLinksAndMentions } from './strip-links.js'
import { allocateSlot, slotCount, type TargetBinding } from './target-binding.js'
import { tokenize, tokenizerKey, type TokenizerConfig } from './text-tokenizer.js'

/** A target seen through one tokenizer: tokens of each of its texts, cached per interaction. */
export interface TokenView {
  readonly target: TargetBinding
  readonly config: TokenizerConfig
  readonly slot: number
}

const views = new Map<string, TokenView>()

/** The interned token view of a target and tokenizer configuration. */
export function tokenView(target: TargetBinding, config: TokenizerConfig): TokenView {
  const key = `${target.path}\u0000${tokenizerKey(config)}`
  let v = views.get(key)
  if (v === undefined) {
    v = { target, config, slot: allocateSlot() }
    views.set(key, v)
  }
  return v
}

/** A JSON value counts as present unless it is missing, null, or an empty list (csdl.md §3.2). */
export function isPresent(v: unknown): boolean {
  return v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)
}

function textOf(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return v
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(v)
    default:
      return undefined
  }
}

const NUMERIC = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/

/** A numeric JSON value (number, bigint or numeric string) as a number or an exact bigint. */
export function numericOf(v: unknown): number | bigint | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined
  if (typeof v === 'bigint') return v
  if (typeof v === 'string' && NUMERIC.test(v.trim())) {
    const t = v.trim()
    if (/^-?\d+$/.test(t)) {
      const n = Number(t)
      return Number.isSafeInteger(n) ? n : BigInt(t)
    }
    return Number(t)
  }
  if (typeof v === 'boolean') return v ? 1 : 0
  return undefined
}

// The kinds of per-slot caches.
const TEXTS = 0
const NUMBERS = 1
const FOLDED = 2
const KINDS = 3

/**
 * The per-interaction state of evaluation: the interaction, and caches of the work predicates
 * share (a target's value, its texts with links and mentions stripped, its tokens under each
 * tokenizer). One context is reused across interactions; `reset` starts a new one in O(1) by
 * bumping a generation number instead of clearing the caches.
 */
export class EvalContext {
  interaction: unknown = undefined
  generation = 0
  /** Per kind: the generation each slot's cache was filled in, and the cached values. */
  private stamps: Int32Array[] = Array.from({ length: KINDS }, () => new Int32Array(64).fill(-1))
  private readonly caches: unknown[][] = Array.from({ length: KINDS }, () => [])

  /** Starts evaluating a new interaction. */
  reset(interaction: unknown): void {
    this.interaction = interaction
    this.generation++
  }

  private fresh(slot: number, kind: number): boolean {
    const stamps = this.stamps[kind]
    return stamps !== undefined && slot < stamps.length && stamps[slot] === this.generation
  }

  private store(slot: number, value: unknown, kind: number): void {
    let stamps = this.stamps[kind] ?? new Int32Array(0)
    if (slot >= stamps.length) {
      const size = Math.max(slotCount(), slot + 1, 64) * 2
      this.stamps = this.stamps.map((old) => {
        const next = new Int32Array(size).fill(-1)
        next.set(old)
        return next
      })
      stamps = this.stamps[kind] ?? stamps
    }
    stamps[slot] = this.generation
    const cache = this.caches[kind]
    if (cache !== undefined) cache[slot] = value
  }

  private cached<T>(slot: number, kind: number): T {
    return this.caches[kind]?.[slot] as T
  }

  /** The target's raw value in the interaction. */
  value(target: TargetBinding): unknown {
    return target.read(this.interaction)
  }

  /**
   * The target's texts: each string of a string or list value (numbers written as text), with
   * links and @mentions removed on targets that hide them. Undefined when absent.
   */
  texts(target: TargetBinding): readonly string[] | undefined {
    if (this.fresh(target.slot, TEXTS)) return this.cached(target.slot, TEXTS)
    const v = target.read(this.interaction)
    let out: string[] | undefined
    if (isPresent(v)) {
      const items: readonly unknown[] = Array.isArray(v) ? v : [v]
      out = []
      for (const item of items) {
        const t = textOf(item)
        if (t !== undefined)
          out.push(target.entry.stripsLinksAndMentions ? stripLinksAndMentions(t) : t)
      }
    }
    this.store(target.slot, out, TEXTS)
    return out
  }

  /** The target's texts in lower case (case-insensitive operators and indexes share them). */
  foldedTexts(target: TargetBinding): readonly string[] | undefined {
    if (this.fresh(target.slot, FOLDED)) return this.cached(target.slot, FOLDED)
    const out = this.texts(target)?.map((t) => t.toLowerCase())
    this.store(target.slot, out, FOLDED)
    return out
  }

  /** The target's numeric values (numbers, exact bigints for big integers). Undefined when none. */
  numbers(target: TargetBinding): readonly (number | bigint)[] | undefined {
    if (this.fresh(target.slot, NUMBERS)) return this.cached(target.slot, NUMBERS)
    const v = target.read(this.interaction)
    let out: (number | bigint)[] | undefined
    if (isPresent(v)) {
      for (const item of Array.isArray(v) ? (v as readonly unknown[]) : [v]) {
        const n = numericOf(item)
        if (n !== undefined) (out ??= []).push(n)
      }
    }
    this.store(target.slot, out, NUMBERS)
    return out
  }

  /** Tokens of each of the target's texts under a tokenizer. Undefined when the target is absent. */
  tokens(view: TokenView): readonly (readonly string[])[] | undefined {
    if (this.fresh(view.slot, TEXTS)) return this.cached(view.slot, TEXTS)
    // Tokenizing folded text again folds nothing, so the case-insensitive views share the fold.
    const texts = view.config.caseSensitive
      ? this.texts(view.target)
      : this.foldedTexts(view.target)
    const out = texts?.map((t) => tokenize(t, view.config))
    this.store(view.slot, out, TEXTS)
    return out
  }
}
