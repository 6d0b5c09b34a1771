import type { IncomingMessage } from 'node:http'

/** Headers of a request as the Fetch API has them (for the key check shared with GraphQL). */
export function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
  return headers
}
