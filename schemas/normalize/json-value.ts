/** A value parsed from JSON text. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject

/** A JSON object as parsed from untrusted input: any key may be missing or of any type. */
export interface JsonObject {
  readonly [key: string]: JsonValue | undefined
}

/** Narrows an unknown value to a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/*
 * Typed reads of one field of untrusted JSON. A field of the wrong type reads as absent: source
 * formats drift (Reddit's created_utc is a string, an int or a float depending on the era), and a
 * normalizer decides itself which absences are fatal.
 */

export function objectAt(o: JsonObject, key: string): JsonObject | undefined {
  const v = o[key]
  return isJsonObject(v) ? v : undefined
}

export function arrayAt(o: JsonObject, key: string): readonly JsonValue[] | undefined {
  const v = o[key]
  return Array.isArray(v) ? (v as readonly JsonValue[]) : undefined
}

/** Objects of an array field, skipping elements that are not objects. */
export function objectsAt(o: JsonObject, key: string): readonly JsonObject[] {
  const v = o[key]
  if (!Array.isArray(v)) return []
  return (v as readonly JsonValue[]).filter(isJsonObject)
}

export function stringAt(o: JsonObject, key: string): string | undefined {
  const v = o[key]
  return typeof v === 'string' ? v : undefined
}

/** The non-empty string values of `key` across a list of objects (entity names, categories). */
export function textsAt(list: readonly JsonObject[], key: string): string[] {
  const out: string[] = []
  for (const o of list) {
    const v = o[key]
    if (typeof v === 'string' && v !== '') out.push(v)
  }
  return out
}

/** A string field, with "" read as absent (profile fields use "" for "not set"). */
export function textAt(o: JsonObject, key: string): string | undefined {
  const v = o[key]
  return typeof v === 'string' && v !== '' ? v : undefined
}

export function numberAt(o: JsonObject, key: string): number | undefined {
  const v = o[key]
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined
}

const INT32_MAX = 2147483647

/** An integer field that fits the schema's `int` (signed 32-bit); anything else reads absent. */
export function intAt(o: JsonObject, key: string): number | undefined {
  const v = o[key]
  return typeof v === 'number' && Number.isInteger(v) && v <= INT32_MAX && v >= -INT32_MAX - 1
    ? v
    : undefined
}

export function boolAt(o: JsonObject, key: string): boolean | undefined {
  const v = o[key]
  return typeof v === 'boolean' ? v : undefined
}

const DECIMAL_ID = /^\d{1,20}$/

/**
 * A numeric id as a decimal string: the `<key>_str` field when present (Twitter), else the field
 * itself when it is a decimal string or a safe integer. A number above 2^53 cannot be trusted
 * (JSON.parse has already rounded it) and reads absent.
 */
export function idAt(o: JsonObject, key: string): string | undefined {
  const s = o[`${key}_str`]
  if (typeof s === 'string' && DECIMAL_ID.test(s)) return s
  const v = o[key]
  if (typeof v === 'string' && DECIMAL_ID.test(v)) return v
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v)
  return undefined
}

const INT64_MAX = 9223372036854775807n

/** A decimal id string as the schema's `long`, or undefined when it does not fit 64 bits. */
export function toLong(id: string | undefined): bigint | undefined {
  if (id === undefined || !DECIMAL_ID.test(id)) return undefined
  const n = BigInt(id)
  return n <= INT64_MAX ? n : undefined
}
