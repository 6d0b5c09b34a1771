import type { DpuEstimate } from './dpu-cost.js'
import type { EvalContext } from './eval-context.js'
import type { Predicate } from './predicate.js'

/**
 * A compiled filter: boolean structure over predicates, with referenced streams inlined (and
 * named, so a plan can evaluate each referenced stream once per interaction).
 */
export type FilterExpr =
  | { readonly kind: 'and'; readonly operands: readonly FilterExpr[] }
  | { readonly kind: 'or'; readonly operands: readonly FilterExpr[] }
  | { readonly kind: 'not'; readonly operand: FilterExpr }
  | { readonly kind: 'predicate'; readonly predicate: Predicate }
  | { readonly kind: 'stream'; readonly hash: string; readonly filter: FilterExpr }

/** A tag rule: a label (or a score) in a namespace, attached when its expression holds (csdl.md §8). */
export interface CompiledTagRule {
  readonly namespace: readonly string[]
  readonly label:
    | { readonly kind: 'label'; readonly text: string }
    | { readonly kind: 'score'; readonly value: number }
  readonly expr: FilterExpr
}

/** A definition that compiled: what a registry stores and a FilterSet runs. */
export interface CompiledDefinition {
  /** 32-hex stream hash (MD5 of the canonical form, or the hash it was registered under). */
  readonly hash: string
  readonly source: string
  readonly canonical: string
  /** The filter; undefined for a tag-only definition (which delivers nothing when run alone). */
  readonly filter: FilterExpr | undefined
  /** Local tag rules and imported ones (tags "<hash>"), in order. */
  readonly tagRules: readonly CompiledTagRule[]
  readonly dpu: DpuEstimate
  /** Hashes of the streams and tag definitions this one uses directly. */
  readonly references: readonly string[]
}

/**
 * Evaluates an expression with a predicate oracle (direct `test`, or a plan's memoized one).
 * AND and OR stop at the first operand that decides.
 */
export function evaluateExpr(
  expr: FilterExpr,
  ctx: EvalContext,
  test: (p: Predicate, ctx: EvalContext) => boolean,
): boolean {
  switch (expr.kind) {
    case 'predicate':
      return test(expr.predicate, ctx)
    case 'and':
      for (const o of expr.operands) if (!evaluateExpr(o, ctx, test)) return false
      return true
    case 'or':
      for (const o of expr.operands) if (evaluateExpr(o, ctx, test)) return true
      return false
    case 'not':
      return !evaluateExpr(expr.operand, ctx, test)
    case 'stream':
      return evaluateExpr(expr.filter, ctx, test)
  }
}

/** Tags and the tag tree of one delivered interaction (csdl.md §8). */
export interface TagResult {
  /** Labels of rules without a namespace, in rule order, without repeats. */
  readonly tags: readonly string[]
  /** Namespaced labels (as lists) and scores (as sums), nested by namespace. */
  readonly tagTree: Readonly<Record<string, unknown>>
}

// Scores are summed as doubles and kept to 13 significant figures (csdl.md §8.3).
const SCORE_DIGITS = 13

/**
 * The tags and tag tree of a delivered interaction, given which rules hold (`holds(rule, i)`
 * for the i-th rule). Labels are attached once; scores in one namespace are summed.
 */
export function evaluateTags(
  rules: readonly CompiledTagRule[],
  holds: (rule: CompiledTagRule, index: number) => boolean,
): TagResult {
  const tags: string[] = []
  const tree: Record<string, unknown> = {}
  for (const [index, rule] of rules.entries()) {
    if (!holds(rule, index)) continue
    if (rule.namespace.length === 0) {
      if (rule.label.kind === 'label' && !tags.includes(rule.label.text)) tags.push(rule.label.text)
      continue
    }
    let node = tree
    for (const seg of rule.namespace.slice(0, -1)) {
      const child = node[seg]
      node =
        typeof child === 'object' && child !== null && !Array.isArray(child)
          ? (child as Record<string, unknown>)
          : (node[seg] = {})
    }
    const leaf = rule.namespace[rule.namespace.length - 1] ?? ''
    if (rule.label.kind === 'score') {
      const prev = typeof node[leaf] === 'number' ? node[leaf] : 0
      node[leaf] = Number((prev + rule.label.value).toPrecision(SCORE_DIGITS))
    } else {
      const list = Array.isArray(node[leaf])
        ? (node[leaf] as string[])
        : (node[leaf] = [] as string[])
      if (!list.includes(rule.label.text)) list.push(rule.label.text)
    }
  }
  return { tags, tagTree: tree }
}
