import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { WebSocketServer, type WebSocket } from 'ws'
import type { LiveAccess, LiveFollower } from './live-access.js'

// A socket with this much unsent is not keeping up: its matches wait in its (bounded) queue.
const MAX_BUFFERED_BYTES = 1024 * 1024
// Clients send nothing but control frames; anything larger is refused (ws closes with 1009).
const MAX_CLIENT_MESSAGE_BYTES = 4 * 1024
// Close codes of the private range (RFC 6455 §7.4.2).
const CLOSE_SLOW = 4000
const CLOSE_REFUSED = 4001
const CLOSE_GOING_AWAY = 1001
// A close frame's reason holds at most 123 bytes.
const closeReason = (text: string): string => Buffer.from(text).subarray(0, 123).toString()

/** Who is asking, once the handshake is done: their key, and a release for their live slot. */
export interface WebSocketOpening {
  readonly follower: LiveFollower
  readonly release: () => void
}

/**
 * `ws://…/live/<hash>/ws[?cursor=C][&key=K]`: the same delivery as `GET /live/<hash>` over a
 * WebSocket, one text message a match. The router checks the path; the key is checked after
 * the handshake, so a refusal is a close frame a browser can read (4001 and the reason). A
 * client that falls behind is closed with 4000 and the reason; one whose key is revoked or
 * whose stream is deleted meanwhile, with 4001.
 */
export class LiveWebSocket {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_CLIENT_MESSAGE_BYTES,
    clientTracking: false,
  })

  constructor(
    private readonly access: LiveAccess,
    private readonly log: (event: string, fields: Readonly<Record<string, unknown>>) => void,
  ) {
    this.wss.on('error', (e) => this.log('websocket_failed', { error: e.message }))
  }

  accept(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    stream: { readonly hash: string; readonly cursor: string | undefined },
    open: () => Promise<WebSocketOpening>,
  ): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      // A client's malformed frame is its connection's end, never the process's.
      ws.on('error', () => ws.terminate())
      this.deliver(ws, stream, open).catch((e: unknown) => {
        this.log('websocket_failed', { error: e instanceof Error ? e.message : String(e) })
        ws.terminate()
      })
    })
  }

  private async deliver(
    ws: WebSocket,
    stream: { readonly hash: string; readonly cursor: string | undefined },
    open: () => Promise<WebSocketOpening>,
  ): Promise<void> {
    let opening: WebSocketOpening | undefined
    let subscription
    try {
      opening = await open()
      subscription = await this.access.followOwn(opening.follower, stream.hash, stream.cursor)
    } catch (e) {
      opening?.release()
      // A refused key, not its stream, a cursor not kept: the reason.
      if (ws.readyState === ws.OPEN)
        ws.close(CLOSE_REFUSED, closeReason(e instanceof Error ? e.message : String(e)))
      return
    }
    const release = opening.release
    ws.once('close', () => {
      subscription.close()
      release()
    })
    if (ws.readyState !== ws.OPEN) {
      subscription.close()
      release()
      return
    }
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
      // The line every consumer shares, without its newline.
      ws.send(m.line.subarray(0, m.line.length - 1), { binary: false })
    }
    const end = subscription.end
    if (ws.readyState !== ws.OPEN) return
    if (end?.kind === 'slow') ws.close(CLOSE_SLOW, closeReason(end.reason))
    else if (end?.kind === 'refused') ws.close(CLOSE_REFUSED, closeReason(end.reason))
    else ws.close(CLOSE_GOING_AWAY, 'the server is stopping')
  }

  close(): void {
    this.wss.close()
  }
}
