import type { ServerResponse } from 'node:http'
import type { LiveSubscription } from './live-hub.js'
import { writable } from '../outputs/response-writable.js'

/**
 * `GET /live/<hash>[?cursor=C]`: one of the caller's streams as it matches, one JSON object a
 * line (`{"cursor":…,"interaction":…}`), until the caller hangs up. A caller that stops
 * reading falls behind and is cut off with a last line saying why (`{"end":"slow","reason":…}`),
 * as is one whose key is revoked or whose stream is deleted (`{"end":"refused",…}`); it resumes
 * with the last cursor it received.
 */
export async function serveLive(
  res: ServerResponse,
  subscription: LiveSubscription,
): Promise<void> {
  res.writeHead(200, {
    'content-type': 'application/x-ndjson',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
  })
  // Written at once, so clients see the stream open before the first match.
  res.write('\n')
  const hangUp = (): void => subscription.close()
  res.once('close', hangUp)
  try {
    for await (const m of subscription) {
      // A full socket buffer means the client is not reading: wait, while its queue fills.
      if (!res.write(m.line)) await writable(res)
      if (res.destroyed) break
    }
    const end = subscription.end
    if ((end?.kind === 'slow' || end?.kind === 'refused') && !res.destroyed)
      res.write(`${JSON.stringify({ end: end.kind, reason: end.reason })}\n`)
  } finally {
    res.off('close', hangUp)
    subscription.close()
    res.end()
  }
}
