import { TARGETS } from '../targets/all-targets.js'
import type { TargetDef } from '../targets/target-def.js'
import {
  CSDL_OPERATORS,
  EQUALITY_OPERATORS,
  GEO_OPERATORS,
  ORDER_OPERATORS,
  TEXT_OPERATORS,
  type CsdlOperator,
} from './csdl-operators.js'
import type { CsdlType } from './csdl-type.js'
import { OPEN_NAMESPACES, REFERENCE_TARGETS } from './reference-targets.js'

export type { CsdlType } from './csdl-type.js'

/** What the CSDL checker and evaluator need to know about one target. */
export interface CatalogEntry {
  readonly path: string
  readonly csdlType: CsdlType
  readonly list: boolean
  /** Operators allowed on this target; every other operator is a type error. */
  readonly operators: ReadonlySet<CsdlOperator>
  /** True when links and @mentions are invisible to text operators (csdl.md §3.5). */
  readonly stripsLinksAndMentions: boolean
  /** True for URL-valued targets (they accept url_in). */
  readonly url: boolean
  /** True when Sluice's normalizers or augmenters fill the target; false for reference-only targets. */
  readonly filled: boolean
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
export function operatorsFor(type: CsdlType, url: boolean): ReadonlySet<CsdlOperator> {
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
    case 'any':
      return new Set<CsdlOperator>(CSDL_OPERATORS)
  }
}

function entryOf(def: TargetDef): CatalogEntry {
  const csdlType = csdlTypeOf(def)
  const url = def.url === true
  return {
    path: def.path,
    csdlType,
    list: def.list,
    operators: operatorsFor(csdlType, url),
    stripsLinksAndMentions: def.text === 'stripped',
    url,
    filled: true,
  }
}

/**
 * The targets Sluice fills, with their CSDL type and the operators they allow. Keys are
 * lower-case dotted paths.
 *
 * @example TARGET_CATALOG.get('links.url')?.operators.has('url_in') // true
 */
export const TARGET_CATALOG: ReadonlyMap<string, CatalogEntry> = new Map(
  TARGETS.map((t) => [t.path, entryOf(t)]),
)

const REFERENCE_CATALOG: ReadonlyMap<string, CatalogEntry> = new Map(
  REFERENCE_TARGETS.map((r) => [
    r.path,
    {
      path: r.path,
      csdlType: r.type,
      list: r.type.startsWith('array'),
      operators: operatorsFor(r.type, r.url === true),
      stripsLinksAndMentions: false,
      url: r.url === true,
      filled: false,
    },
  ]),
)

const TARGET_PATH = /^[a-z0-9_]+(?:\.[a-z0-9_]+)+$/
const openEntries = new Map<string, CatalogEntry>()

function openEntry(path: string): CatalogEntry | undefined {
  if (!TARGET_PATH.test(path) || !OPEN_NAMESPACES.some((ns) => path.startsWith(`${ns}.`)))
    return undefined
  let entry = openEntries.get(path)
  if (entry === undefined) {
    entry = {
      path,
      csdlType: 'any',
      list: false,
      operators: operatorsFor('any', true),
      stripsLinksAndMentions: false,
      url: true,
      filled: false,
    }
    openEntries.set(path, entry)
  }
  return entry
}

/**
 * Looks up a CSDL target: one Sluice fills, one csdl.md §12 names that Sluice does not fill
 * (valid in filters, always absent from Sluice's own data), or any path in an open namespace of
 * §12.5. Undefined means "The target … does not exist".
 *
 * @example lookupTarget('interaction.content')?.filled // true
 * @example lookupTarget('klout.score')?.filled // false
 * @example lookupTarget('interactin.content') // undefined
 */
export function lookupTarget(path: string): CatalogEntry | undefined {
  return TARGET_CATALOG.get(path) ?? REFERENCE_CATALOG.get(path) ?? openEntry(path)
}
