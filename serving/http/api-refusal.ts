import type { ServerResponse } from 'node:http'
import { dropUnreadBody } from '../../collectors/index.js'

/**
 * A request the API refuses before or outside GraphQL execution: no key (401), over a limit
 * (413, 429), malformed (400). `code` is the same vocabulary as GraphQL errors' `extensions.code`.
 */
export class ApiRefusal extends Error {
  override readonly name = 'ApiRefusal'
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message)
  }
}

/** Writes a JSON answer (closing the connection when the request was not read to its end). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...dropUnreadBody(res.req),
    ...headers,
  })
  res.end(text)
}

/** A refusal as JSON: `{error, code}`, or for GraphQL clients `{errors: [{message, extensions}]}`. */
export function sendRefusal(res: ServerResponse, refusal: ApiRefusal, graphql: boolean): void {
  sendJson(
    res,
    refusal.status,
    graphql
      ? { errors: [{ message: refusal.message, extensions: { code: refusal.code } }] }
      : { error: refusal.message, code: refusal.code },
    refusal.headers,
  )
}
