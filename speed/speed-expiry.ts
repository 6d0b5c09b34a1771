import { nextBucket } from '../schemas/index.js'
import type { SpeedStore } from '../schemas/ports/index.js'
import { ALL_BUCKET_ROWS, parseBucketRowKey } from './speed-keys.js'

const DELETE_CHUNK = 2000

/**
 * Drops every speed value whose bucket ends at or before the batch watermark `watermark`: batch
 * answers for those now. A bucket that straddles it stays (serving takes its part after the
 * watermark from minute rows). Deletes are commits like any other, retried on conflict.
 */
export async function expireBefore(
  store: SpeedStore,
  routes: number,
  watermark: number,
  /** The routes this process writes (all by default): each route's writer expires it. */
  writes: (route: number) => boolean = () => true,
): Promise<number> {
  let deleted = 0
  for (let route = 0; route < routes; route++) {
    if (!writes(route)) continue
    const expired: string[] = []
    for await (const [key] of store.range(route, ...ALL_BUCKET_ROWS)) {
      const { granularity, bucket } = parseBucketRowKey(key)
      if (nextBucket(bucket, granularity) <= watermark) expired.push(key)
    }
    for (let at = 0; at < expired.length; at += DELETE_CHUNK) {
      const deletes = expired.slice(at, at + DELETE_CHUNK)
      for (;;) {
        const { version } = await store.read(route, [])
        if (await store.commit(route, version, { deletes })) break
      }
      deleted += deletes.length
    }
  }
  return deleted
}
