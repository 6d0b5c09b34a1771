import { existsSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import sirv from 'sirv'

/** Where the console is served; its assets are built with this base (serving/console/vite.config.js). */
export const CONSOLE_PATH = '/console'

/**
 * Serves the built console (a single-page app: unknown paths under /console/ get its
 * index.html). Answers 404 with what to run when the console has not been built.
 */
export function consoleFiles(
  dir: string | undefined,
): (req: IncomingMessage, res: ServerResponse, path: string) => void {
  const built = dir !== undefined && existsSync(join(dir, 'index.html'))
  const serve = built
    ? sirv(dir, { single: true, etag: true, gzip: false, dev: false, dotfiles: false })
    : undefined
  return (req, res, path) => {
    if (path === CONSOLE_PATH || path === '/') {
      res.writeHead(302, { location: `${CONSOLE_PATH}/` })
      res.end()
      return
    }
    if (serve === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: 'the console is not built here: run `npm run build`' }))
      return
    }
    // sirv resolves files from the URL's path; the console's own paths start after /console.
    req.url = (req.url ?? '/').slice(CONSOLE_PATH.length) || '/'
    serve(req, res, () => {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('not found')
    })
  }
}
