/**
 * The canonical CSDL operators (csdl.md §4). Synonyms map onto these (see OPERATOR_SYNONYMS).
 */
export const CSDL_OPERATORS = [
  'contains',
  'contains_any',
  'contains_all',
  'contains_near',
  'wildcard',
  'substr',
  'regex_partial',
  'regex_exact',
  'in',
  '==',
  '!=',
  '>',
  '>=',
  '<',
  '<=',
  'exists',
  'url_in',
  'geo_box',
  'geo_radius',
  'geo_polygon',
  'list_any',
  'list_in',
] as const
export type CsdlOperator = (typeof CSDL_OPERATORS)[number]

/** Alternative spellings accepted for operators, lower case (csdl.md §4). */
export const OPERATOR_SYNONYMS: Readonly<Record<string, CsdlOperator>> = {
  any: 'contains_any',
  all: 'contains_all',
  near: 'contains_near',
  wild: 'wildcard',
  contains_substr: 'substr',
  contains_word: 'contains',
  contains_phrase: 'contains',
}

/** Operator classes of csdl.md §13. */
export const TEXT_OPERATORS: readonly CsdlOperator[] = [
  'contains',
  'contains_any',
  'contains_all',
  'contains_near',
  'wildcard',
  'substr',
  'regex_partial',
  'regex_exact',
]
export const EQUALITY_OPERATORS: readonly CsdlOperator[] = ['==', '!=']
export const ORDER_OPERATORS: readonly CsdlOperator[] = ['>', '>=', '<', '<=']
export const GEO_OPERATORS: readonly CsdlOperator[] = ['geo_box', 'geo_radius', 'geo_polygon']

/** Operators that accept the `cs` modifier (csdl.md §5 and §13). */
export const CASE_SENSITIVE_CAPABLE: ReadonlySet<CsdlOperator> = new Set<CsdlOperator>([
  'contains',
  'contains_any',
  'contains_all',
  'contains_near',
  'wildcard',
  'substr',
  '==',
  '!=',
  'in',
])
