import { stringify } from 'csv-stringify/sync'
import { findTarget, type GeoPoint, type TargetDef } from '../../schemas/index.js'

/** The columns of a CSV recording when none are chosen. */
export const DEFAULT_CSV_FIELDS: readonly string[] = [
  'interaction.id',
  'interaction.created_at',
  'interaction.type',
  'interaction.author.username',
  'interaction.content',
  'language.tag',
  'salience.content.sentiment',
  'demographic.gender',
]

/** A CSV column that names no target. */
export class CsvFieldError extends Error {
  override readonly name = 'CsvFieldError'
  constructor(readonly field: string) {
    super(`${field} is not a target; CSV columns are target paths such as interaction.content`)
  }
}

/** Throws {@link CsvFieldError} for the first field that is not a target. */
export function checkCsvFields(fields: readonly string[]): void {
  for (const f of fields) if (findTarget(f) === undefined) throw new CsvFieldError(f)
}

function cell(type: TargetDef['type'], value: unknown): unknown {
  if (type === 'timestamp' && typeof value === 'number') return new Date(value).toISOString()
  if (type === 'geo' && typeof value === 'object' && value !== null) {
    const p = value as GeoPoint
    return `${p.latitude},${p.longitude}`
  }
  if (typeof value === 'bigint') return value.toString()
  return value
}

function valueAt(record: unknown, path: string): unknown {
  let at = record
  for (const part of path.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined
    at = (at as Record<string, unknown>)[part]
  }
  return at
}

/**
 * Records (the interactions' JSON lines) as CSV with a header: one column per target, empty
 * where a record has none, timestamps in ISO 8601, a point as `lat,lon`, a list as a JSON
 * array. RFC 4180: records end with CRLF; a field holding a comma, a quote, a CR or an LF (a
 * bare one too: csv-stringify alone quotes only the record delimiter itself) is quoted, its
 * quotes doubled.
 */
export function recordsToCsv(lines: readonly string[], fields: readonly string[]): string {
  checkCsvFields(fields)
  const types = fields.map((f) => (findTarget(f) as TargetDef).type)
  const lists = fields.map((f) => (findTarget(f) as TargetDef).list)
  const rows = lines.map((line) => {
    const record = JSON.parse(line) as unknown
    return fields.map((f, i) => {
      const value = valueAt(record, f)
      if (value === undefined || value === null) return ''
      if (lists[i] === true && Array.isArray(value))
        return JSON.stringify(value.map((v: unknown) => cell(types[i] as TargetDef['type'], v)))
      return cell(types[i] as TargetDef['type'], value)
    })
  })
  return stringify(rows, {
    header: true,
    columns: [...fields],
    record_delimiter: 'windows',
    quoted_match: /[\r\n]/,
  })
}
