import type { IncomingMessage } from 'node:http'
import { createGunzip } from 'node:zlib'

/** A request refused with an HTTP status; `headers` tell the client what to do next. */
export class HttpRequestError extends Error {
  override readonly name = 'HttpRequestError'
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message)
  }
}

/**
 * Whether `req` has a body not read to its end: answering it then must close the connection
 * (else the server would read, and the client send, what nobody wants). A bodiless request
 * is not complete yet while its handler runs synchronously, hence the headers.
 */
export function hasUnreadBody(req: IncomingMessage): boolean {
  if (req.complete) return false
  const length = req.headers['content-length']
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined
}

// A refused body of known size up to this is read and dropped rather than cut off…
const DRAIN_LIMIT_BYTES = 32 * 1024 * 1024
// …within this long: a client still sending after it loses the connection.
const DRAIN_MS = 10_000

/**
 * Before answering a request whose body nobody read (refused before reading it: no key, over a
 * limit): reads and drops a body of known, bounded size, so that a client still sending it
 * receives the answer instead of a reset; for any other unread body, asks for the connection
 * to close. Returns the headers the answer needs. Nothing of the body is kept.
 */
export function dropUnreadBody(req: IncomingMessage): Readonly<Record<string, string>> {
  if (!hasUnreadBody(req)) return {}
  const length = Number(req.headers['content-length'])
  if (
    req.readableFlowing !== null ||
    req.headers['transfer-encoding'] !== undefined ||
    !Number.isFinite(length) ||
    length > DRAIN_LIMIT_BYTES
  )
    return { connection: 'close' }
  const timer = setTimeout(() => req.socket.destroy(), DRAIN_MS)
  const done = (): void => clearTimeout(timer)
  req.once('end', done)
  req.once('close', done)
  req.resume()
  return {}
}

/** Bytes of request bodies a server holds in memory at once, across all requests. */
export class ByteBudget {
  private used = 0

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.used
  }

  /** Takes `bytes` when they fit; false (nothing taken) when they do not. */
  take(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false
    this.used += bytes
    return true
  }

  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes)
  }
}

export interface BodyLimits {
  /** Largest body, as sent and once gunzipped. */
  readonly maxBytes: number
  /** Longest pause between two chunks of the body. */
  readonly idleMs: number
  /** Longest time for the whole body, however steadily it trickles. */
  readonly deadlineMs: number
  /** Held bytes are taken from it; a body it cannot hold is refused with 503. */
  readonly budget?: ByteBudget
  /** Accept `content-encoding: gzip` (else 415). */
  readonly gzip?: boolean
}

/** A body read whole; `release` gives its bytes back to the budget once they are not needed. */
export interface ReceivedBody {
  readonly bytes: Buffer
  readonly release: () => void
}

/**
 * Reads a request body whole, refusing it as soon as it breaks a limit: more than `maxBytes`
 * (413, also once gunzipped, so a gzip bomb stops at the limit), a pause longer than `idleMs`
 * or a body still arriving after `deadlineMs` (408: a slow client cannot hold a slot for
 * ever), more than the shared budget can hold (503), or a transfer that breaks off (400).
 * After a refusal the body is no longer read: answer with `connection: close`.
 */
export function readRequestBody(req: IncomingMessage, limits: BodyLimits): Promise<ReceivedBody> {
  const declared = Number(req.headers['content-length'] ?? '0')
  if (declared > limits.maxBytes)
    return Promise.reject(
      new HttpRequestError(
        413,
        `the body is ${declared} bytes; the limit is ${limits.maxBytes} (send smaller batches)`,
      ),
    )
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase()
  const gzip = encoding === 'gzip'
  if (encoding !== 'identity' && !(gzip && limits.gzip === true))
    return Promise.reject(
      new HttpRequestError(
        415,
        `content-encoding ${encoding} is not supported; send ${limits.gzip === true ? 'identity or gzip' : 'identity'}`,
      ),
    )
  const budget = limits.budget
  return new Promise((resolve, reject) => {
    const gunzip = gzip ? createGunzip() : undefined
    const input = gunzip === undefined ? req : req.pipe(gunzip)
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    const end = (error: HttpRequestError | undefined): void => {
      if (settled) return
      settled = true
      clearTimeout(deadline)
      clearTimeout(idle)
      req.off('data', onRaw)
      req.off('error', onBroken)
      req.off('aborted', onBroken)
      req.off('close', onClose)
      input.off('data', onData)
      input.off('end', onEnd)
      input.off('error', onBroken)
      if (error === undefined) {
        let held = size
        resolve({
          bytes: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size),
          release: () => {
            budget?.give(held)
            held = 0
          },
        })
        return
      }
      budget?.give(size)
      chunks.length = 0
      if (gunzip !== undefined) {
        req.unpipe(gunzip)
        gunzip.destroy()
      }
      // Nothing more is read; the caller's answer closes the connection.
      req.pause()
      reject(error)
    }
    const timedOut = (what: string): HttpRequestError =>
      new HttpRequestError(408, `${what}; send the body at once, or smaller batches`)
    const deadline = setTimeout(
      () => end(timedOut(`the body took longer than ${limits.deadlineMs} ms`)),
      limits.deadlineMs,
    )
    const idle = setTimeout(
      () => end(timedOut(`no byte of the body came for ${limits.idleMs} ms`)),
      limits.idleMs,
    )
    const onRaw = (): void => {
      idle.refresh()
    }
    const onData = (chunk: Buffer): void => {
      if (!gzip) idle.refresh()
      size += chunk.length
      if (size > limits.maxBytes) {
        size -= chunk.length
        end(
          new HttpRequestError(
            413,
            `the body is larger than ${limits.maxBytes} bytes${gzip ? ' once gunzipped' : ''} (send smaller batches)`,
          ),
        )
        return
      }
      if (budget !== undefined && !budget.take(chunk.length)) {
        size -= chunk.length
        end(
          new HttpRequestError(
            503,
            `the server holds ${budget.inUse} bytes of request bodies, its limit; retry shortly`,
            { 'retry-after': '1' },
          ),
        )
        return
      }
      chunks.push(chunk)
    }
    const onEnd = (): void => end(undefined)
    const onClose = (): void => {
      if (!req.complete) onBroken()
    }
    const onBroken = (e?: unknown): void =>
      end(
        new HttpRequestError(
          400,
          `the body could not be read: ${e instanceof Error ? e.message : 'the connection broke off'}`,
        ),
      )
    // Gunzipped chunks come in bursts; the pause that matters is between bytes on the wire.
    if (gzip) req.on('data', onRaw)
    req.on('error', onBroken)
    req.on('aborted', onBroken)
    req.on('close', onClose)
    input.on('data', onData)
    input.on('end', onEnd)
    input.on('error', onBroken)
  })
}
