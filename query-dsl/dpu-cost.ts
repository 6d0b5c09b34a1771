import type { CsdlOperator } from '../schemas/index.js'

/*
 * The hourly cost of a definition in DPU (csdl.md §11.2), deterministic and monotonic rather
 * than a reproduction of DataSift's historical table: every condition costs at least 0.1,
 * longer lists, regexes and polygons cost more, repeating `contains` costs less per extra
 * condition than a new operator, and a stream reference costs what the referenced stream costs.
 */

/** The cost of one condition, as the compiler reports it. */
export interface ConditionCost {
  readonly operator: CsdlOperator
  readonly target: string
  /** Items of a list argument (words of contains_any, values of in, urls, vertices). */
  readonly items: number
  /** Length of a regex pattern. */
  readonly length: number
}

/** A definition's cost: the total and, per operator, how many conditions and what they cost. */
export interface DpuEstimate {
  readonly total: number
  readonly detail: Readonly<
    Record<
      string,
      {
        readonly count: number
        readonly dpu: number
        readonly targets: Readonly<Record<string, number>>
      }
    >
  >
}

// Anchors from csdl.md §11.2: 0.1 per simple condition; contains_any ≈ 0.2 at 10 items and ≈ 1
// at 100, cheaper per item beyond; 100 `contains … OR …` ≈ 2.6, i.e. +0.1 per ~4 extra.
const BASE = 0.1
const EXTRA_CONTAINS = 0.025
const PER_TEN_WORDS = 0.1
const PER_TEN_WORDS_BEYOND_100 = 0.05
const TAG_RULE = 0.05
const MINIMUM = 0.1

function conditionDpu(c: ConditionCost): number {
  switch (c.operator) {
    case 'contains_any':
    case 'contains_all': {
      const first = Math.min(c.items, 100)
      const beyond = Math.max(0, c.items - 100)
      return (
        BASE +
        PER_TEN_WORDS * Math.ceil(first / 10) +
        PER_TEN_WORDS_BEYOND_100 * Math.ceil(beyond / 10)
      )
    }
    case 'contains_near':
      return 0.15
    case 'wildcard':
      return 0.2 + 0.05 * Math.max(0, c.items - 1)
    case 'regex_partial':
    case 'regex_exact':
      return 0.3 + 0.01 * c.length
    case 'in':
      return c.items <= 10 ? BASE : BASE + 0.05 * Math.ceil(Math.log2(c.items / 10))
    case 'url_in':
      return BASE + 0.01 * c.items
    case 'geo_polygon':
      return 0.3 + 0.01 * c.items
    case 'list_in':
    case 'list_any':
      return 0.2
    default:
      return BASE
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000
}

/**
 * Sums the cost of a definition's conditions (its filter and tag rules), its tag rules, and the
 * streams it references.
 *
 * @example estimateDpu([{ operator: 'contains', target: 'interaction.content', items: 1, length: 0 }], 0, []).total // 0.1
 */
export function estimateDpu(
  conditions: readonly ConditionCost[],
  tagRules: number,
  referenced: readonly DpuEstimate[],
): DpuEstimate {
  const detail: Record<string, { count: number; dpu: number; targets: Record<string, number> }> = {}
  let containsSeen = 0
  let total = 0
  for (const c of conditions) {
    const dpu =
      c.operator === 'contains' ? (containsSeen++ === 0 ? BASE : EXTRA_CONTAINS) : conditionDpu(c)
    const d = (detail[c.operator] ??= { count: 0, dpu: 0, targets: {} })
    d.count++
    d.dpu = round(d.dpu + dpu)
    d.targets[c.target] = round((d.targets[c.target] ?? 0) + dpu)
    total += dpu
  }
  if (tagRules > 0) {
    detail['tag'] = { count: tagRules, dpu: round(TAG_RULE * tagRules), targets: {} }
    total += TAG_RULE * tagRules
  }
  for (const r of referenced) {
    const d = (detail['stream'] ??= { count: 0, dpu: 0, targets: {} })
    d.count++
    d.dpu = round(d.dpu + r.total)
    total += r.total
  }
  return { total: round(Math.max(MINIMUM, total)), detail }
}
