/**
 * The collector cannot take more now (the log is behind, or too much waits for upload). Sources
 * answer it with HTTP 503 and Retry-After; nothing was written.
 */
export class BackpressureError extends Error {
  override readonly name = 'BackpressureError'
  constructor(
    readonly reason: string,
    readonly retryAfterS: number,
  ) {
    super(`the collector is busy: ${reason}; retry after ${retryAfterS} s`)
  }
}

/** The raw log could not write or sync: the batch was not stored and must be retried. */
export class RawLogWriteError extends Error {
  override readonly name = 'RawLogWriteError'
  constructor(
    readonly path: string,
    options: { cause: unknown },
  ) {
    super(
      `raw log write to ${path} failed: ${options.cause instanceof Error ? options.cause.message : String(options.cause)}`,
      options,
    )
  }
}
