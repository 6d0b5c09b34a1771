import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { WebSocketServer, type WebSocket } from 'ws'
import type { StreamCatalog } from '../../query-dsl/index.js'
import { encodeInteraction } from '../../schemas/index.js'
import type { ApiKeyRecord } from '../keys/api-keys.js'
import { followOwnStream } from './live-follow.js'
import type { LiveHub } from './live-hub.js'
import { headersOf } from '../http/request-headers.js'

// A socket with this much unsent is not keeping up: its matches wait in its (bounded) queue.
const MAX_BUFFERED_BYTES = 1024 * 1024
// Close codes of the private range (RFC 6455 §7.4.2).
const CLOSE_SLOW = 4000
const CLOSE_REFUSED = 4001
const CLOSE_GOING_AWAY = 1001

/**
 * `ws://…/live/<hash>/ws[?cursor=C][&key=K]`: the same delivery as `GET /live/<hash>` over a
 * WebSocket, one text message a match. Browsers cannot send headers with a WebSocket, so the
 * key may come as `?key=`. A client that falls behind is closed with code 4000 and the reason;
 * a refused one (no key, not its stream, a cursor not kept) with 4001 and what to change.
 */
export function attachLiveWebSocket(
  server: Server,
  deps: {
    readonly live: LiveHub
    readonly catalog: StreamCatalog
    readonly authenticate: (headers: Headers) => Promise<ApiKeyRecord>
  },
): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true })
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const m = /^\/live\/([^/]+)\/ws$/.exec(url.pathname)
    if (m === null) {
      socket.destroy()
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      void deliver(ws, req, url, decodeURIComponent(m[1] as string), deps)
    })
  })
  return wss
}

async function deliver(
  ws: WebSocket,
  req: IncomingMessage,
  url: URL,
  hash: string,
  deps: Parameters<typeof attachLiveWebSocket>[1],
): Promise<void> {
  const headers = headersOf(req)
  const given = url.searchParams.get('key')
  if (given !== null && !headers.has('x-api-key')) headers.set('x-api-key', given)
  let subscription
  try {
    const key = await deps.authenticate(headers)
    subscription = await followOwnStream(
      deps.live,
      deps.catalog,
      key.id,
      hash,
      url.searchParams.get('cursor') ?? undefined,
    )
  } catch (e) {
    // A refused key, not its stream, a cursor not kept: the reason (at most 123 bytes in a
    // close frame).
    const reason = e instanceof Error ? e.message : String(e)
    ws.close(CLOSE_REFUSED, Buffer.from(reason).subarray(0, 123).toString())
    return
  }
  ws.once('close', () => subscription.close())
  for await (const m of subscription) {
    // Sends wait while the socket has much unsent; meanwhile the queue fills, and a client
    // that does not catch up is dropped.
    while (
      ws.bufferedAmount > MAX_BUFFERED_BYTES &&
      ws.readyState === ws.OPEN &&
      subscription.end === undefined
    )
      await sleep(10)
    if (ws.readyState !== ws.OPEN || subscription.end?.kind === 'slow') break
    ws.send(
      `{"cursor":${JSON.stringify(m.cursor)},"interaction":${encodeInteraction(m.interaction)}}`,
    )
  }
  const end = subscription.end
  if (ws.readyState !== ws.OPEN) return
  if (end?.kind === 'slow')
    ws.close(CLOSE_SLOW, Buffer.from(end.reason).subarray(0, 123).toString())
  else ws.close(CLOSE_GOING_AWAY, 'the server is stopping')
}
