import { createServer, type Server } from 'node:http'
import type { Registry } from 'prom-client'
import type { HealthReport } from '../../schemas/index.js'

export interface OpsServerOptions {
  readonly health: () => Promise<HealthReport>
  readonly metrics: Registry
  /** Where a failure to answer is reported (the request gets a 500). */
  readonly onError: (error: unknown) => void
}

/**
 * The operations endpoints of a process that serves nothing else: `GET /health` (the digest;
 * 503 when failing) and `GET /metrics` (Prometheus text).
 */
export function createOpsServer(options: OpsServerOptions): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    const answer = async (): Promise<void> => {
      if (req.method === 'GET' && path === '/health') {
        const report = await options.health()
        res.writeHead(report.status === 'failing' ? 503 : 200, {
          'content-type': 'application/json',
        })
        res.end(JSON.stringify(report))
      } else if (req.method === 'GET' && path === '/metrics') {
        const body = await options.metrics.metrics()
        res.writeHead(200, { 'content-type': options.metrics.contentType })
        res.end(body)
      } else {
        res.writeHead(404, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ error: 'not found; GET /health or GET /metrics' }))
      }
    }
    answer().catch((e: unknown) => {
      options.onError(e)
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: 'internal error' }))
    })
  })
}

/** Listens on `host:port` (0: any free port) and returns the URL. */
export async function listen(server: Server, host: string, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  const address = server.address()
  const actual = typeof address === 'object' && address !== null ? address.port : port
  return `http://${host.includes(':') ? `[${host}]` : host}:${actual}`
}
