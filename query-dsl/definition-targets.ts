import type { CompiledDefinition, FilterExpr } from './filter-expr.js'

function collect(expr: FilterExpr, out: Set<string>): void {
  switch (expr.kind) {
    case 'and':
    case 'or':
      for (const operand of expr.operands) collect(operand, out)
      return
    case 'not':
      collect(expr.operand, out)
      return
    case 'stream':
      collect(expr.filter, out)
      return
    case 'predicate':
      out.add(expr.predicate.target.path)
  }
}

/**
 * The target paths a definition reads — its filter, its tag rules and the streams it uses — so
 * that a batch job or replay reads only those columns of the master dataset.
 *
 * @example definitionTargets(compiled).sort() // ['interaction.content', 'language.tag']
 */
export function definitionTargets(definition: CompiledDefinition): string[] {
  const out = new Set<string>()
  if (definition.filter !== undefined) collect(definition.filter, out)
  for (const rule of definition.tagRules) collect(rule.expr, out)
  return [...out].sort()
}
