import type { Interaction } from '../interaction.js'
import type { GeoPoint, TargetDef, TargetType } from '../targets/target-def.js'
import { SCHEMA_TREE, type SchemaBranch } from './schema-tree.js'
import type { SchemaViolation } from './validate-interaction.js'

/*
 * JSON form of an interaction: nested objects by target path, in schema order, absent targets
 * omitted. `long` values are written as decimal strings so that every JSON reader keeps them
 * exact (tweet ids exceed 2^53); timestamps as ISO-8601 UTC strings; geo as
 * {"latitude","longitude"}. The decoder also accepts numbers for longs and epoch milliseconds
 * for timestamps, which is how hand-written test inputs tend to look.
 */

type ScalarEncoder = (v: unknown) => string | undefined

// An interaction repeats its creation time (interaction.created_at, twitter.created_at), and
// toISOString is among the dearer calls of encoding: remember the last one.
let lastTime = Number.NaN
let lastIso = ''
function isoTime(ms: number): string {
  if (ms !== lastTime) {
    lastTime = ms
    lastIso = `"${new Date(ms).toISOString()}"`
  }
  return lastIso
}

const ENCODERS: Readonly<Record<TargetType, ScalarEncoder>> = {
  string: (v) => (typeof v === 'string' ? JSON.stringify(v) : undefined),
  int: (v) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined),
  float: (v) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined),
  long: (v) => (typeof v === 'bigint' ? `"${v}"` : undefined),
  bool: (v) => (typeof v === 'boolean' ? String(v) : undefined),
  timestamp: (v) => (typeof v === 'number' && Number.isFinite(v) ? isoTime(v) : undefined),
  geo: (v) => {
    const g = v as GeoPoint
    return typeof g === 'object' && g !== null
      ? `{"latitude":${g.latitude},"longitude":${g.longitude}}`
      : undefined
  },
}

/** A branch compiled for encoding: children in schema order with their JSON key prefix. */
interface EncodePlan {
  readonly entries: readonly {
    readonly key: string
    readonly prefix: string
    readonly leaf: ((v: unknown) => string | undefined) | undefined
    readonly branch: EncodePlan | undefined
  }[]
}

function leafEncoder(def: TargetDef): (v: unknown) => string | undefined {
  const scalar = ENCODERS[def.type]
  if (!def.list) return scalar
  return (v) => {
    if (!Array.isArray(v) || v.length === 0) return undefined
    const parts: string[] = []
    for (const e of v as readonly unknown[]) {
      const s = scalar(e)
      if (s !== undefined) parts.push(s)
    }
    return parts.length === 0 ? undefined : `[${parts.join(',')}]`
  }
}

function compile(node: SchemaBranch): EncodePlan {
  return {
    entries: [...node.children].map(([key, child]) => ({
      key,
      prefix: `${JSON.stringify(key)}:`,
      leaf: child.kind === 'leaf' ? leafEncoder(child.def) : undefined,
      branch: child.kind === 'branch' ? compile(child) : undefined,
    })),
  }
}

const PLAN = compile(SCHEMA_TREE)

function encodeBranch(
  plan: EncodePlan,
  value: Readonly<Record<string, unknown>>,
): string | undefined {
  let out = ''
  for (const e of plan.entries) {
    const v = value[e.key]
    if (v === undefined || v === null) continue
    const s =
      e.leaf !== undefined
        ? e.leaf(v)
        : e.branch !== undefined
          ? encodeBranch(e.branch, v as Readonly<Record<string, unknown>>)
          : undefined
    if (s === undefined) continue
    out += out === '' ? `{${e.prefix}${s}` : `,${e.prefix}${s}`
  }
  return out === '' ? undefined : `${out}}`
}

/**
 * Serializes an interaction to one line of JSON (no trailing newline). Keys outside the schema
 * are not written.
 *
 * @example encodeInteraction({ interaction: { type: 'reddit' } }) // '{"interaction":{"type":"reddit"}}'
 */
export function encodeInteraction(interaction: Interaction): string {
  return encodeBranch(PLAN, interaction) ?? '{}'
}

/** The outcome of decoding: an interaction, or every violation found. */
export type DecodeResult =
  | { readonly ok: true; readonly interaction: Interaction }
  | { readonly ok: false; readonly violations: readonly SchemaViolation[] }

const DECIMAL = /^-?\d{1,19}$/
const INT64_MIN = -9223372036854775808n
const INT64_MAX = 9223372036854775807n

type ScalarDecoder = (v: unknown) => unknown

const DECODERS: Readonly<Record<TargetType, ScalarDecoder>> = {
  string: (v) => (typeof v === 'string' ? v : undefined),
  int: (v) =>
    typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= 2147483647 ? v : undefined,
  float: (v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined),
  long: (v) => {
    const n =
      typeof v === 'string' && DECIMAL.test(v)
        ? BigInt(v)
        : typeof v === 'number' && Number.isSafeInteger(v)
          ? BigInt(v)
          : undefined
    return n !== undefined && n >= INT64_MIN && n <= INT64_MAX ? n : undefined
  },
  bool: (v) => (typeof v === 'boolean' ? v : undefined),
  timestamp: (v) => {
    if (typeof v === 'number' && Number.isFinite(v)) return v
    if (typeof v !== 'string') return undefined
    const t = Date.parse(v)
    return Number.isNaN(t) ? undefined : t
  },
  geo: (v) => {
    if (typeof v !== 'object' || v === null) return undefined
    const { latitude, longitude } = v as { latitude?: unknown; longitude?: unknown }
    return typeof latitude === 'number' &&
      typeof longitude === 'number' &&
      Math.abs(latitude) <= 90 &&
      Math.abs(longitude) <= 180
      ? { latitude, longitude }
      : undefined
  },
}

function decodeLeaf(def: TargetDef, v: unknown, out: SchemaViolation[]): unknown {
  const scalar = DECODERS[def.type]
  if (!def.list) {
    const d = scalar(v)
    if (d === undefined)
      out.push({
        path: def.path,
        reason: `not a valid ${def.type}: ${JSON.stringify(v)?.slice(0, 60)}`,
      })
    return d
  }
  if (!Array.isArray(v)) {
    out.push({ path: def.path, reason: `expected a list of ${def.type}` })
    return undefined
  }
  const list: unknown[] = []
  for (const e of v as readonly unknown[]) {
    const d = scalar(e)
    if (d === undefined) {
      out.push({
        path: def.path,
        reason: `list element is not a valid ${def.type}: ${JSON.stringify(e)?.slice(0, 60)}`,
      })
      return undefined
    }
    list.push(d)
  }
  return list.length === 0 ? undefined : list
}

function decodeBranch(
  node: SchemaBranch,
  value: unknown,
  out: SchemaViolation[],
): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    out.push({ path: node.path, reason: 'expected an object' })
    return undefined
  }
  const result: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value as Readonly<Record<string, unknown>>)) {
    if (v === null || v === undefined) continue
    const child = node.children.get(key)
    if (child === undefined) {
      out.push({
        path: node.path === '' ? key : `${node.path}.${key}`,
        reason: 'not a target of the schema',
      })
      continue
    }
    const d = child.kind === 'leaf' ? decodeLeaf(child.def, v, out) : decodeBranch(child, v, out)
    if (d !== undefined) result[key] = d
  }
  return result
}

/**
 * Reads an interaction from its JSON form (a parsed value): checks every target against the
 * schema and converts longs to bigint and timestamps to epoch milliseconds. Nulls read as absent.
 *
 * @example decodeInteraction(JSON.parse(line))
 */
export function decodeInteraction(value: unknown): DecodeResult {
  const violations: SchemaViolation[] = []
  const decoded = decodeBranch(SCHEMA_TREE, value, violations)
  if (violations.length > 0 || decoded === undefined) return { ok: false, violations }
  return { ok: true, interaction: decoded }
}
