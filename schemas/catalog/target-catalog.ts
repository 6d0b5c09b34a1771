import { TARGETS } from '../targets/all-targets.js'
import type { TargetDef, TargetType } from '../targets/target-def.js'
import {
  EQUALITY_OPERATORS,
  GEO_OPERATORS,
  ORDER_OPERATORS,
  TEXT_OPERATORS,
  type CsdlOperator,
} from './csdl-operators.js'

/**
 * CSDL's view of a target's type (csdl.md §3.1 and §13). `bool` and `timestamp` are Sluice's
 * additions: a bool compares with == / != against true/false (or 1/0); a timestamp compares
 * numerically against Unix seconds.
 */
export type CsdlType =
  'string' | 'int' | 'float' | 'geo' | 'bool' | 'timestamp' | 'array(string)' | 'array(int)'

/** What the CSDL checker and evaluator need to know about one target. */
export interface CatalogEntry {
  readonly path: string
  readonly csdlType: CsdlType
  readonly type: TargetType
  readonly list: boolean
  /** Operators allowed on this target; every other operator is a type error. */
  readonly operators: ReadonlySet<CsdlOperator>
  /** True when links and @mentions are invisible to text operators (csdl.md §3.5). */
  readonly stripsLinksAndMentions: boolean
  /** True for URL-valued targets (they accept url_in). */
  readonly url: boolean
}

function csdlTypeOf(def: TargetDef): CsdlType {
  switch (def.type) {
    case 'string':
      return def.list ? 'array(string)' : 'string'
    case 'int':
    case 'long':
      return def.list ? 'array(int)' : 'int'
    case 'float':
      return 'float'
    case 'geo':
      return 'geo'
    case 'bool':
      return 'bool'
    case 'timestamp':
      return 'timestamp'
  }
}

/** The csdl.md §13 compatibility matrix, per CSDL type. */
function operatorsFor(type: CsdlType, url: boolean): ReadonlySet<CsdlOperator> {
  switch (type) {
    case 'string':
    case 'array(string)':
      return new Set<CsdlOperator>([
        ...TEXT_OPERATORS,
        ...EQUALITY_OPERATORS,
        ...ORDER_OPERATORS,
        'in',
        'exists',
        'list_any',
        'list_in',
        ...(url ? (['url_in'] as const) : []),
      ])
    case 'int':
    case 'array(int)':
      return new Set<CsdlOperator>([
        ...EQUALITY_OPERATORS,
        ...ORDER_OPERATORS,
        'in',
        'exists',
        'list_in',
      ])
    case 'float':
    case 'timestamp':
      return new Set<CsdlOperator>([...EQUALITY_OPERATORS, ...ORDER_OPERATORS, 'exists'])
    case 'bool':
      return new Set<CsdlOperator>([...EQUALITY_OPERATORS, 'exists'])
    case 'geo':
      return new Set<CsdlOperator>([...GEO_OPERATORS, 'exists'])
  }
}

function entryOf(def: TargetDef): CatalogEntry {
  const csdlType = csdlTypeOf(def)
  const url = def.url === true
  return {
    path: def.path,
    csdlType,
    type: def.type,
    list: def.list,
    operators: operatorsFor(csdlType, url),
    stripsLinksAndMentions: def.text === 'stripped',
    url,
  }
}

/**
 * The target catalog the CSDL checker uses: every schema target with its CSDL type and the
 * operators it allows. Keys are lower-case dotted paths.
 *
 * @example TARGET_CATALOG.get('links.url')?.operators.has('url_in') // true
 */
export const TARGET_CATALOG: ReadonlyMap<string, CatalogEntry> = new Map(
  TARGETS.map((t) => [t.path, entryOf(t)]),
)
