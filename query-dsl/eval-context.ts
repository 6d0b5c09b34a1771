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

const TEXTS = 0
const NUMBERS = 1

/**
 * The per-interaction state of evaluation: the interaction, and caches of the work predicates
 * share (a target's value, its texts with links and mentions stripped, its tokens under each
 * tokenizer). One context is reused across interactions; `reset` starts a new one in O(1) by
 * bumping a generation number instead of clearing the caches.
 */
export class EvalContext {
  interaction: unknown = undefined
  generation = 0
  private stamps: Int32Array = new Int32Array(64).fill(-1)
  private caches: unknown[] = []
  private numberStamps: Int32Array = new Int32Array(64).fill(-1)
  private numberCaches: unknown[] = []

  /** Starts evaluating a new interaction. */
  reset(interaction: unknown): void {
    this.interaction = interaction
    this.generation++
  }

  private fresh(slot: number, stamps: Int32Array): boolean {
    if (slot >= stamps.length) return false
    return stamps[slot] === this.generation
  }

  private grow(): void {
    const size = Math.max(slotCount(), 64) * 2
    const grow = (old: Int32Array): Int32Array => {
      const next = new Int32Array(size).fill(-1)
      next.set(old)
      return next
    }
    this.stamps = grow(this.stamps)
    this.numberStamps = grow(this.numberStamps)
  }

  private store(slot: number, value: unknown, kind: typeof TEXTS | typeof NUMBERS): void {
    if (slot >= this.stamps.length) this.grow()
    if (kind === TEXTS) {
      this.stamps[slot] = this.generation
      this.caches[slot] = value
    } else {
      this.numberStamps[slot] = this.generation
      this.numberCaches[slot] = value
    }
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
    if (this.fresh(target.slot, this.stamps))
      return this.caches[target.slot] as readonly string[] | undefined
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

  /** The target's numeric values (numbers, exact bigints for big integers). Undefined when none. */
  numbers(target: TargetBinding): readonly (number | bigint)[] | undefined {
    if (this.fresh(target.slot, this.numberStamps))
      return this.numberCaches[target.slot] as readonly (number | bigint)[] | undefined
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
    if (this.fresh(view.slot, this.stamps))
      return this.caches[view.slot] as readonly (readonly string[])[] | undefined
    const texts = this.texts(view.target)
    const out = texts?.map((t) => tokenize(t, view.config))
    this.store(view.slot, out, TEXTS)
    return out
  }
}
