/**
 * Object keys of the master dataset (DESIGN.md, storage layout): Hive-style partitions by
 * interaction type and UTC day, so DuckDB, Spark or Athena read `master/type=*\/date=*\/*.parquet`
 * as is, plus the commit log that says which parts are published.
 *
 * @example partKey('twitter', '2026-11-22', '3f2a…') // 'master/type=twitter/date=2026-11-22/part-3f2a….parquet'
 */
export const MASTER_PREFIX = 'master/'
export const MASTER_LOG_PREFIX = 'master/_log/'
/** Lines the shredder set aside, per raw segment, with the reason. */
export const MASTER_REJECTS_PREFIX = 'master/_rejects/'
/** Which raw segments are shredded, one object per raw (source, day). */
export const SHREDDED_LEDGER_PREFIX = 'master/_shredded/'

const DAY = /^\d{4}-\d{2}-\d{2}$/
const TYPE = /^[a-z0-9_]{1,32}$/
const PART_ID = /^[0-9a-f]{8,64}$/

/** The UTC day (`YYYY-MM-DD`) of an epoch-millisecond time. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/** Epoch milliseconds of the start of a UTC day. */
export function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`)
}

export function isDay(value: string): boolean {
  return DAY.test(value) && dayOf(dayStart(value)) === value
}

export function isPartitionType(value: string): boolean {
  return TYPE.test(value)
}

export function partitionPrefix(type: string, date: string): string {
  return `${MASTER_PREFIX}type=${type}/date=${date}/`
}

export function partKey(type: string, date: string, id: string): string {
  return `${partitionPrefix(type, date)}part-${id}.parquet`
}

export interface PartKey {
  readonly type: string
  readonly date: string
  readonly id: string
}

const PART_KEY =
  /^master\/type=([a-z0-9_]{1,32})\/date=(\d{4}-\d{2}-\d{2})\/part-([0-9a-f]{8,64})\.parquet$/

/** The parts of a part key, or `undefined` when `key` is not one. */
export function parsePartKey(key: string): PartKey | undefined {
  const m = PART_KEY.exec(key)
  if (m === null) return undefined
  const [, type, date, id] = m
  if (type === undefined || date === undefined || id === undefined || !PART_ID.test(id))
    return undefined
  return { type, date, id }
}

// Zero-padded so that the store's key order is version order.
const VERSION_DIGITS = 20

export function commitKey(version: number): string {
  return `${MASTER_LOG_PREFIX}${String(version).padStart(VERSION_DIGITS, '0')}.json`
}

export function checkpointKey(version: number): string {
  return `${MASTER_LOG_PREFIX}${String(version).padStart(VERSION_DIGITS, '0')}.checkpoint.json`
}

const LOG_KEY = /^master\/_log\/(\d{20})\.(json|checkpoint\.json)$/

/** A commit or checkpoint key's version and kind, or `undefined` for anything else. */
export function parseLogKey(
  key: string,
): { readonly version: number; readonly kind: 'commit' | 'checkpoint' } | undefined {
  const m = LOG_KEY.exec(key)
  if (m === null) return undefined
  return { version: Number(m[1]), kind: m[2] === 'json' ? 'commit' : 'checkpoint' }
}

export function shreddedLedgerKey(source: string, date: string): string {
  return `${SHREDDED_LEDGER_PREFIX}source=${source}/date=${date}.json`
}
