import type { StringSet } from './compact-string-set.js'
import type { EvalContext, TokenView } from './eval-context.js'
import type { TargetBinding } from './target-binding.js'

/**
 * A necessary condition of a predicate that an index can test for many predicates at once:
 * when the predicate holds, at least one of its triggers fires. The shared plan (filter-set.ts)
 * uses triggers to find the few filters an interaction can match without visiting the rest.
 *
 * - `phrase`    a token sequence occurs in one of the target's texts (under a tokenizer view).
 * - `value`     one of the target's texts equals `value` (case-folded when `fold`).
 * - `valueSet`  one of the target's texts is in `values` (huge in-lists, tested by the index).
 * - `number`    one of the target's numbers has the canonical decimal form `value`.
 * - `url`       one of the target's texts normalizes to `value` (csdl.md §4.12).
 * - `substring` one of the target's texts contains `text` (case-folded when `fold`).
 * - `geo`       one of the target's points lies in `box` (degrees; `west > east` wraps).
 * - `present`   the target is present.
 */
export type Trigger =
  | { readonly kind: 'phrase'; readonly view: TokenView; readonly tokens: readonly string[] }
  | {
      readonly kind: 'value'
      readonly target: TargetBinding
      readonly fold: boolean
      readonly value: string
    }
  | {
      readonly kind: 'valueSet'
      readonly target: TargetBinding
      readonly fold: boolean
      readonly values: StringSet
    }
  | { readonly kind: 'number'; readonly target: TargetBinding; readonly value: string }
  | { readonly kind: 'url'; readonly target: TargetBinding; readonly value: string }
  | {
      readonly kind: 'substring'
      readonly target: TargetBinding
      readonly fold: boolean
      readonly text: string
    }
  | { readonly kind: 'geo'; readonly target: TargetBinding; readonly box: GeoBounds }
  | { readonly kind: 'present'; readonly target: TargetBinding }

/** A latitude/longitude rectangle; `west > east` means it crosses the antimeridian. */
export interface GeoBounds {
  readonly south: number
  readonly north: number
  readonly west: number
  readonly east: number
}

/**
 * One condition of a filter, compiled: `test` is its exact semantics (csdl.md §3–§5). Equal
 * `key`s mean equal predicates, so a plan evaluates each distinct one once per interaction.
 */
export interface Predicate {
  readonly key: string
  readonly target: TargetBinding
  /** Rough relative cost of `test` (1 ≈ a cached lookup), to run cheap operands first. */
  readonly cost: number
  /** Rough probability of holding on a random interaction, to choose anchors. */
  readonly probability: number
  test(ctx: EvalContext): boolean
  /** Alternatives of which one fires whenever the predicate holds; undefined when none can be indexed. */
  readonly triggers: readonly Trigger[] | undefined
  /** True when any trigger firing proves the predicate, so `test` can be skipped. */
  readonly exactTriggers: boolean
}

/** The key of a trigger, unique per trigger (used to share index entries). */
export function triggerKey(t: Trigger): string {
  switch (t.kind) {
    case 'phrase':
      return `phrase\u0000${t.view.slot}\u0000${t.tokens.join('\u0001')}`
    case 'value':
      return `value\u0000${t.target.slot}\u0000${t.fold ? 'ci' : 'cs'}\u0000${t.value}`
    case 'valueSet':
      return `valueSet\u0000${t.target.slot}\u0000${t.fold ? 'ci' : 'cs'}\u0000${setIdentity(t.values)}`
    case 'number':
      return `number\u0000${t.target.slot}\u0000${t.value}`
    case 'url':
      return `url\u0000${t.target.slot}\u0000${t.value}`
    case 'substring':
      return `substring\u0000${t.target.slot}\u0000${t.fold ? 'ci' : 'cs'}\u0000${t.text}`
    case 'geo':
      return `geo\u0000${t.target.slot}\u0000${t.box.south},${t.box.north},${t.box.west},${t.box.east}`
    case 'present':
      return `present\u0000${t.target.slot}`
  }
}

const setIds = new WeakMap<StringSet, number>()
let nextSetId = 0

function setIdentity(s: StringSet): number {
  let id = setIds.get(s)
  if (id === undefined) {
    id = nextSetId++
    setIds.set(s, id)
  }
  return id
}
