import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ConfigError } from './config-error.js'

/** Where the object store is, parsed from `file://PATH` or `s3://BUCKET/PREFIX?endpoint=…`. */
export type StoreConfig =
  | { readonly kind: 'file'; readonly path: string }
  | {
      readonly kind: 's3'
      readonly bucket: string
      /** Empty or ending in `/`. */
      readonly prefix: string
      readonly region: string
      /** An S3-compatible server (path-style addressing); absent for AWS itself. */
      readonly endpoint?: string
    }

/** Which queue, parsed from `memory:` or `redis://HOST:PORT[?prefix=…&lock_ms=…]`. */
export type QueueConfig =
  | { readonly kind: 'memory' }
  | {
      readonly kind: 'redis'
      readonly host: string
      readonly port: number
      readonly prefix: string
      readonly lockMs: number
    }

function parseUrl(setting: string, value: string): URL {
  try {
    return new URL(value)
  } catch {
    throw new ConfigError(setting, value, 'not a URL')
  }
}

function positiveInt(
  setting: string,
  value: string,
  text: string | null,
  fallback: number,
): number {
  if (text === null) return fallback
  const n = Number(text)
  if (!Number.isInteger(n) || n <= 0)
    throw new ConfigError(setting, value, `expected a positive integer, got ${text}`)
  return n
}

/**
 * @example parseStoreUrl('--store', 'file://./data') // { kind: 'file', path: '/abs/data' }
 * @example parseStoreUrl('--store', 's3://b/sluice?endpoint=http://127.0.0.1:4568')
 */
export function parseStoreUrl(setting: string, value: string): StoreConfig {
  // `file://./data` is not a valid file URL but is what people type: a path relative to cwd.
  if (value.startsWith('file://') && !value.startsWith('file:///'))
    return { kind: 'file', path: resolve(decodeURIComponent(value.slice('file://'.length))) }
  const url = parseUrl(setting, value)
  if (url.protocol === 'file:') return { kind: 'file', path: fileURLToPath(url) }
  if (url.protocol === 's3:') {
    if (url.hostname === '') throw new ConfigError(setting, value, 'the bucket is missing')
    const path = decodeURIComponent(url.pathname.replace(/^\/+/, ''))
    const prefix = path === '' || path.endsWith('/') ? path : `${path}/`
    const endpoint = url.searchParams.get('endpoint')
    if (endpoint !== null) parseUrl(setting, endpoint)
    return {
      kind: 's3',
      bucket: url.hostname,
      prefix,
      region: url.searchParams.get('region') ?? process.env['AWS_REGION'] ?? 'us-east-1',
      ...(endpoint === null ? {} : { endpoint }),
    }
  }
  throw new ConfigError(setting, value, 'expected file://PATH or s3://BUCKET[/PREFIX][?endpoint=…]')
}

/** @example parseQueueUrl('--queue', 'redis://127.0.0.1:6379?prefix=sluice') */
export function parseQueueUrl(setting: string, value: string): QueueConfig {
  if (value === 'memory:' || value === 'memory') return { kind: 'memory' }
  const url = parseUrl(setting, value)
  if (url.protocol !== 'redis:')
    throw new ConfigError(setting, value, 'expected memory: or redis://HOST:PORT')
  return {
    kind: 'redis',
    host: url.hostname === '' ? '127.0.0.1' : url.hostname,
    port: positiveInt(setting, value, url.port === '' ? null : url.port, 6379),
    prefix: url.searchParams.get('prefix') ?? 'sluice',
    lockMs: positiveInt(setting, value, url.searchParams.get('lock_ms'), 30_000),
  }
}

/** Where the speed layer's state is, parsed from `level://PATH` or `cassandra://HOST:PORT/KEYSPACE`. */
export type SpeedStoreConfig =
  | { readonly kind: 'level'; readonly path: string }
  | {
      readonly kind: 'cassandra'
      readonly host: string
      readonly port: number
      readonly keyspace: string
      readonly replication: number
      readonly localDataCenter: string
    }

/**
 * @example parseSpeedStoreUrl('--speed-store', 'level://./speed') // { kind: 'level', path: '/abs/speed' }
 * @example parseSpeedStoreUrl('--speed-store', 'cassandra://127.0.0.1:9042/sluice?replication=3')
 */
export function parseSpeedStoreUrl(setting: string, value: string): SpeedStoreConfig {
  // Like file://, `level://./speed` is a path relative to the working directory.
  if (value.startsWith('level://')) {
    const path = decodeURIComponent(value.slice('level://'.length))
    if (path === '') throw new ConfigError(setting, value, 'the directory is missing')
    return { kind: 'level', path: resolve(path) }
  }
  const url = parseUrl(setting, value)
  if (url.protocol !== 'cassandra:')
    throw new ConfigError(setting, value, 'expected level://PATH or cassandra://HOST:PORT/KEYSPACE')
  const keyspace = decodeURIComponent(url.pathname.replace(/^\/+/, ''))
  if (!/^[a-z][a-z0-9_]{0,47}$/.test(keyspace))
    throw new ConfigError(
      setting,
      value,
      'the keyspace (the path) must be a lower-case letter then up to 47 letters, digits or _',
    )
  return {
    kind: 'cassandra',
    host: url.hostname === '' ? '127.0.0.1' : url.hostname,
    port: positiveInt(setting, value, url.port === '' ? null : url.port, 9042),
    keyspace,
    replication: positiveInt(setting, value, url.searchParams.get('replication'), 1),
    localDataCenter: url.searchParams.get('dc') ?? 'datacenter1',
  }
}

/**
 * The embedded defaults, one set for every command: `npm start` and the single jobs beside it
 * (`sluice streams add`, `sluice shred`, …) read and write the same store.
 */
export const DEFAULT_STORE_URL = 'file://./data/store'
export const DEFAULT_SPEED_STORE_URL = 'level://./data/speed'
export const DEFAULT_LOG_DIR = './data/log'
