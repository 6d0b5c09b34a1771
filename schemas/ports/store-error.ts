/** Why an adapter call failed, in one vocabulary every adapter maps its backend's errors into. */
export const STORE_ERROR_CODES = [
  /** The backend could not be reached or answered with a server error: worth retrying. */
  'unavailable',
  /** The backend refused the credentials or the request. Retrying will not help. */
  'denied',
  /** The request itself is wrong (bad key, bad range). Retrying will not help. */
  'invalid',
] as const
export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number]

/** A failed call to a storage or queue backend, with the operation and key it concerned. */
export class StoreError extends Error {
  override readonly name = 'StoreError'
  constructor(
    readonly code: StoreErrorCode,
    readonly operation: string,
    readonly target: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${operation} ${target}: ${code}: ${detail}`, options)
  }

  /** Whether trying the same call again later may succeed. */
  get retryable(): boolean {
    return this.code === 'unavailable'
  }
}
