import type { IncomingMessage, ServerResponse } from 'node:http'
import type { StreamCatalog } from '../../query-dsl/index.js'
import { encodeInteraction } from '../../schemas/index.js'
import type { ApiKeyRecord } from '../keys/api-keys.js'
import { headersOf } from '../http/request-headers.js'
import { followOwnStream, LiveStreamNotFoundError } from './live-follow.js'
import { LiveCursorError, type LiveHub } from './live-hub.js'

function refuse(res: ServerResponse, status: number, code: string, error: string): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ error, code }))
}

/**
 * `GET /live/<hash>[?cursor=C]`: one of the caller's streams as it matches, one JSON object a
 * line (`{"cursor":…,"interaction":…}`), until the caller hangs up. A caller that stops
 * reading falls behind and is cut off with a last line saying why
 * (`{"end":"slow","reason":…}`); it resumes with the last cursor it received.
 */
export async function serveLive(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  deps: {
    readonly live: LiveHub
    readonly catalog: StreamCatalog
    readonly authenticate: (headers: Headers) => Promise<ApiKeyRecord>
  },
): Promise<void> {
  const key = await deps.authenticate(headersOf(req))
  const url = new URL(req.url ?? path, 'http://localhost')
  const hash = decodeURIComponent(path.slice('/live/'.length))
  let subscription
  try {
    subscription = await followOwnStream(
      deps.live,
      deps.catalog,
      key.id,
      hash,
      url.searchParams.get('cursor') ?? undefined,
    )
  } catch (e) {
    if (e instanceof LiveStreamNotFoundError) return refuse(res, 404, 'NOT_FOUND', e.message)
    if (e instanceof LiveCursorError) return refuse(res, 410, 'CURSOR_EXPIRED', e.message)
    throw e
  }
  res.writeHead(200, {
    'content-type': 'application/x-ndjson',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
  })
  // Written at once, so clients see the stream open before the first match.
  res.write('\n')
  const hangUp = (): void => subscription.close()
  req.once('close', hangUp)
  try {
    for await (const m of subscription) {
      const line = `{"cursor":${JSON.stringify(m.cursor)},"interaction":${encodeInteraction(m.interaction)}}\n`
      // A full socket buffer means the client is not reading: wait, while its queue fills.
      if (!res.write(line)) await new Promise((r) => res.once('drain', r).once('close', r))
      if (res.destroyed) break
    }
    const end = subscription.end
    if (end?.kind === 'slow' && !res.destroyed)
      res.write(`${JSON.stringify({ end: 'slow', reason: end.reason })}\n`)
  } finally {
    req.off('close', hangUp)
    subscription.close()
    res.end()
  }
}
