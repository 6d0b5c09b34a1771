import { gunzipSync } from 'node:zlib'
import { readEnvelope } from '../../schemas/index.js'
import { listAll, type ObjectStore } from '../../schemas/ports/index.js'

/** The original records of every raw segment in the store, per segment key. */
export async function storedRecords(
  store: ObjectStore,
  prefix = 'raw/',
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>()
  for await (const o of listAll(store, prefix)) {
    const body = await store.get(o.key)
    const text = gunzipSync(body ?? new Uint8Array()).toString('utf8')
    out.set(
      o.key,
      text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => readEnvelope(l).record),
    )
  }
  return out
}
