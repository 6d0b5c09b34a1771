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
  ctx.reset(interaction)
  return matchReset(def, ctx)
}

/**
 * Runs each definition on its own over one interaction, sharing only the context's caches of
 * values and tokens: no predicate result is shared and no index is used. The naive way to run
 * many filters, which the shared plan is benchmarked against.
 */
export function matchEach(
  defs: Iterable<CompiledDefinition>,
  interaction: unknown,
  ctx: EvalContext = new EvalContext(),
): FilterMatch[] {
  ctx.reset(interaction)
  const out: FilterMatch[] = []
  for (const def of defs) {
    const m = matchReset(def, ctx)
    if (m !== undefined) out.push(m)
  }
  return out
}

function matchReset(def: CompiledDefinition, ctx: EvalContext): FilterMatch | undefined {
  if (def.filter === undefined) return undefined
  if (!evaluateExpr(def.filter, ctx, direct)) return undefined
  const { tags, tagTree } = evaluateTags(def.tagRules, (rule) =>
    evaluateExpr(rule.expr, ctx, direct),
  )
  return { hash: def.hash, tags, tagTree }
}
