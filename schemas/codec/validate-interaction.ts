import type { TargetDef, TargetType } from '../targets/target-def.js'
import { SCHEMA_TREE, type SchemaBranch } from './schema-tree.js'

/** One way a value departs from the schema, located by target path. */
export interface SchemaViolation {
  readonly path: string
  readonly reason: string
}

const INT32_MIN = -2147483648
const INT32_MAX = 2147483647
const INT64_MIN = -9223372036854775808n
const INT64_MAX = 9223372036854775807n

function isObject(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Checks one in-memory scalar against its type; returns a reason or undefined. */
const CHECKS: Readonly<Record<TargetType, (v: unknown) => string | undefined>> = {
  string: (v) => (typeof v === 'string' ? undefined : 'expected a string'),
  int: (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX
      ? undefined
      : 'expected a 32-bit integer',
  long: (v) =>
    typeof v === 'bigint' && v >= INT64_MIN && v <= INT64_MAX
      ? undefined
      : 'expected a 64-bit bigint',
  float: (v) =>
    typeof v === 'number' && Number.isFinite(v) ? undefined : 'expected a finite number',
  bool: (v) => (typeof v === 'boolean' ? undefined : 'expected a boolean'),
  timestamp: (v) =>
    typeof v === 'number' && Number.isFinite(v) ? undefined : 'expected epoch milliseconds',
  geo: (v) =>
    isObject(v) &&
    typeof v['latitude'] === 'number' &&
    typeof v['longitude'] === 'number' &&
    Math.abs(v['latitude']) <= 90 &&
    Math.abs(v['longitude']) <= 180 &&
    Object.keys(v).length === 2
      ? undefined
      : 'expected { latitude: -90..90, longitude: -180..180 }',
}

function checkLeaf(def: TargetDef, value: unknown, out: SchemaViolation[]): void {
  const check = CHECKS[def.type]
  if (!def.list) {
    const reason = check(value)
    if (reason !== undefined) out.push({ path: def.path, reason })
    return
  }
  if (!Array.isArray(value)) {
    out.push({ path: def.path, reason: 'expected a list' })
    return
  }
  if (value.length === 0)
    out.push({ path: def.path, reason: 'empty list (an absent target must be undefined)' })
  for (const element of value as readonly unknown[]) {
    const reason = check(element)
    if (reason !== undefined) {
      out.push({ path: def.path, reason: `list element: ${reason}` })
      return
    }
  }
}

function walk(
  node: SchemaBranch,
  value: Readonly<Record<string, unknown>>,
  out: SchemaViolation[],
): void {
  for (const key of Object.keys(value)) {
    const v = value[key]
    if (v === undefined) continue
    const child = node.children.get(key)
    const path = node.path === '' ? key : `${node.path}.${key}`
    if (child === undefined) out.push({ path, reason: 'not a target of the schema' })
    else if (child.kind === 'leaf') checkLeaf(child.def, v, out)
    else if (isObject(v)) walk(child, v, out)
    else out.push({ path, reason: 'expected an object' })
  }
}

/**
 * Checks that a value is a well-formed in-memory interaction: only schema targets, each of its
 * declared type (bigint for long, epoch ms for timestamps, non-empty arrays for lists).
 * Returns every violation; an empty list means valid.
 *
 * @example validateInteraction({ interaction: { sample: 'x' } }) // [{ path: 'interaction.sample', … }]
 */
export function validateInteraction(value: unknown): readonly SchemaViolation[] {
  const out: SchemaViolation[] = []
  if (!isObject(value)) return [{ path: '', reason: 'expected an object' }]
  walk(SCHEMA_TREE, value, out)
  return out
}
