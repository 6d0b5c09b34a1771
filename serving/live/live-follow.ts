import type { StreamCatalog } from '../../query-dsl/index.js'
import type { LiveHub, LiveSubscription } from './live-hub.js'

/** The caller has no stream of that hash (another key's answers the same). */
export class LiveStreamNotFoundError extends Error {
  override readonly name = 'LiveStreamNotFoundError'
  constructor(readonly hash: string) {
    super(`you have no stream ${hash}`)
  }
}

/**
 * What every live transport (HTTP, WebSocket, subscription) does first: follows one of
 * `owner`'s own streams. Throws {@link LiveStreamNotFoundError}, or the hub's
 * `LiveCursorError` for a cursor it cannot resume from.
 */
export async function followOwnStream(
  live: LiveHub,
  catalog: StreamCatalog,
  owner: string,
  hash: string,
  cursor: string | undefined,
): Promise<LiveSubscription> {
  const record = await catalog.get(hash)
  if (record === undefined || !(owner in record.owners)) throw new LiveStreamNotFoundError(hash)
  return live.follow(record.hash, cursor)
}
