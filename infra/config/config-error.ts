/** A configuration value (flag, environment variable, URL) that cannot be used, and why. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  constructor(
    readonly setting: string,
    readonly value: string,
    readonly reason: string,
  ) {
    super(`${setting}=${JSON.stringify(value)}: ${reason}`)
  }
}

/** A worker of a separate process needs a queue other processes can reach. */
export function requireSharedQueue(
  queue: { readonly kind: string },
  reason = 'a separate worker needs a shared queue: redis://HOST:PORT',
): void {
  if (queue.kind === 'memory') throw new ConfigError('--queue', 'memory:', reason)
}
