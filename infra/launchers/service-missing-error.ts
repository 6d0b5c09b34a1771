/** A real server a test or dev stack needs is not installed; the message says how to get it. */
export class ServiceMissingError extends Error {
  override readonly name = 'ServiceMissingError'
  constructor(
    readonly service: string,
    readonly install: string,
  ) {
    super(`${service} is not installed here; install it with: ${install}`)
  }
}

/** A launched server did not become ready in time; `log` is the tail of what it printed. */
export class ServiceStartError extends Error {
  override readonly name = 'ServiceStartError'
  constructor(
    readonly service: string,
    readonly log: string,
  ) {
    super(`${service} did not start:\n${log}`)
  }
}
