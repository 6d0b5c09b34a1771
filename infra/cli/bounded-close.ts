import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Runs `close`, giving up after `ms`: an unreachable queue must not keep a worker from stopping
 * (what it had not acknowledged is delivered again). True when it closed cleanly.
 */
export async function closeWithin(close: () => Promise<void>, ms = 15_000): Promise<boolean> {
  const closed = close().then(() => true)
  // A close still failing after the deadline has nobody left to tell.
  closed.catch(() => undefined)
  return Promise.race([closed, sleep(ms, false, { ref: false })])
}
