/** `<input type="datetime-local">` values are local wall-clock times without a zone. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000)
  return d.toISOString().slice(0, 16)
}

export function fromLocalInput(value: string): number {
  return new Date(value).getTime()
}
