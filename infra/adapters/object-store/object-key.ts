import { StoreError } from '../../../schemas/ports/index.js'

// Bytes S3 allows in a key; a local path must also fit the file system's limits.
const MAX_KEY_BYTES = 1024
/** Names a local-directory adapter uses for writes in progress; never valid keys. */
export const TEMP_PREFIX = '.tmp-'

/**
 * Rejects keys that would mean different things on different stores: a leading or doubled
 * slash, `.`/`..` segments (a local directory would resolve them), temp-file names, NUL.
 */
export function checkObjectKey(operation: string, key: string): void {
  const reason =
    key.length === 0
      ? 'the key is empty'
      : Buffer.byteLength(key) > MAX_KEY_BYTES
        ? `the key is longer than ${MAX_KEY_BYTES} bytes`
        : key.includes('\0')
          ? 'the key contains NUL'
          : key
                .split('/')
                .some((s) => s === '' || s === '.' || s === '..' || s.startsWith(TEMP_PREFIX))
            ? `key segments may not be empty, "." or "..", or start with ${TEMP_PREFIX}`
            : undefined
  if (reason !== undefined) throw new StoreError('invalid', operation, key, reason)
}

/** Rejects a byte range `[start, end)` that is negative or reversed. */
export function checkRange(operation: string, key: string, start: number, end: number): void {
  if (!(start >= 0 && end >= start))
    throw new StoreError('invalid', operation, key, `bad range [${start}, ${end})`)
}
