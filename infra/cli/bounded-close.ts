import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Runs `close`, giving up after `ms`: an unreachable queue must not keep a worker from stopping
 * (what it had not acknowledged is delivered again). True when it closed cleanly.
 */
export async function closeWithin(close: () => Promise<void>, ms = 15_000): Promise<boolean> {
  // A close that fails (a queue or lease store gone) is not clean either.
  const closed = close().then(
    () => true,
    () => false,
  )
  // The deadline keeps the process alive: a close waiting on a dead connection holds no handle
  // of its own, and the process must not end silently before saying it gave up.
  const deadline = new AbortController()
  const expired = sleep(ms, false, { signal: deadline.signal }).catch(() => false)
  try {
    return await Promise.race([closed, expired])
  } finally {
    deadline.abort()
  }
}
