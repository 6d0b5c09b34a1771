import type { ServerResponse } from 'node:http'

/**
 * Resolves once `res` can take more (drain) or is gone (close), leaving no listener behind: a
 * client that stalls a thousand times must not leave a thousand listeners on its response.
 */
export function writable(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}
