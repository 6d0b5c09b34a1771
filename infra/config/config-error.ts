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
