import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Polls `check` every 20 ms until it holds; throws naming `what` after `timeoutMs`. For waiting
 * on background work (queues, loops), never for asserting how fast it is.
 */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}
