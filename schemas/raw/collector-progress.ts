import { isJsonObject } from '../normalize/json-value.js'
import { listAll, type ObjectStore } from '../ports/object-store.js'
import { isCollectorId } from './raw-layout.js'

/** Where collectors report how far their raw log is in the object store (beside `raw/`, which
 * holds segments only, so tools that glob it read nothing else). */
export const COLLECTOR_PROGRESS_PREFIX = 'collectors/'

/**
 * A collector's statement about its raw log: every record it received before `sealedThrough`
 * is in a raw segment uploaded to the store. Rewritten as uploads go on, and while the
 * collector is idle too (then `sealedThrough` follows the clock), so a quiet source does not
 * hold the batch boundary back; `writtenAt` tells a live collector from a dead one.
 */
export interface CollectorProgress {
  readonly collector: string
  /** Epoch ms. */
  readonly sealedThrough: number
  /** Epoch ms: when the collector last wrote this. */
  readonly writtenAt: number
}

export function collectorProgressKey(collector: string): string {
  return `${COLLECTOR_PROGRESS_PREFIX}${collector}.json`
}

export async function writeCollectorProgress(
  store: ObjectStore,
  progress: CollectorProgress,
): Promise<void> {
  const body = JSON.stringify({
    collector: progress.collector,
    sealed_through: new Date(progress.sealedThrough).toISOString(),
    written_at: new Date(progress.writtenAt).toISOString(),
  })
  await store.put(collectorProgressKey(progress.collector), new TextEncoder().encode(body))
}

/** Reads one marker; `undefined` when it is not one (a damaged marker constrains nothing). */
export function parseCollectorProgress(bytes: Uint8Array): CollectorProgress | undefined {
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    return undefined
  }
  if (!isJsonObject(value)) return undefined
  const { collector, sealed_through: sealed, written_at: written } = value
  if (typeof collector !== 'string' || !isCollectorId(collector)) return undefined
  if (typeof sealed !== 'string' || typeof written !== 'string') return undefined
  const sealedThrough = Date.parse(sealed)
  const writtenAt = Date.parse(written)
  if (!Number.isFinite(sealedThrough) || !Number.isFinite(writtenAt)) return undefined
  return { collector, sealedThrough, writtenAt }
}

/** Every collector's marker in the store. */
export async function readCollectorProgress(store: ObjectStore): Promise<CollectorProgress[]> {
  const out: CollectorProgress[] = []
  for await (const object of listAll(store, COLLECTOR_PROGRESS_PREFIX)) {
    const bytes = await store.get(object.key)
    const progress = bytes === undefined ? undefined : parseCollectorProgress(bytes)
    if (progress !== undefined) out.push(progress)
  }
  return out
}
