import { EvalContext } from './eval-context.js'
import { evaluateExpr, evaluateTags, type CompiledDefinition } from './filter-expr.js'
import type { Predicate } from './predicate.js'

/** A delivered interaction: which stream matched, and the tags it attached (csdl.md §8). */
export interface FilterMatch {
  readonly hash: string
  readonly tags: readonly string[]
  readonly tagTree: Readonly<Record<string, unknown>>
}

const direct = (p: Predicate, ctx: EvalContext): boolean => p.test(ctx)

/**
 * Runs one definition on one interaction, on its own: every condition it reaches is tested
 * directly (no sharing, no index). The reference semantics, and the baseline the shared plan is
 * measured and property-tested against. A tag-only definition delivers nothing.
 *
 * @example matchDefinition(def, { interaction: { content: 'electric scooter' } })?.hash
 */
export function matchDefinition(
  def: CompiledDefinition,
  interaction: unknown,
  ctx: EvalContext = new EvalContext(),
): FilterMatch | undefined {
  if (def.filter === undefined) return undefined
  ctx.reset(interaction)
  if (!evaluateExpr(def.filter, ctx, direct)) return undefined
  const { tags, tagTree } = evaluateTags(def.tagRules, (rule) =>
    evaluateExpr(rule.expr, ctx, direct),
  )
  return { hash: def.hash, tags, tagTree }
}
