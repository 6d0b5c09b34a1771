/**
 * `<input type="datetime-local">` values, read and written as UTC (the zone every table and
 * chart of the console shows), not as the browser's local wall-clock time.
 */
export function toUtcInput(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16)
}

export function fromUtcInput(value: string): number {
  return Date.parse(`${value}:00Z`)
}
