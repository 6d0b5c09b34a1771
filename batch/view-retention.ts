import { listAll, type ObjectStore } from '../schemas/ports/index.js'
import {
  currentViewVersion,
  readViewManifest,
  storedFileKey,
  versionManifestKey,
  VIEWS_PREFIX,
  type ViewVersionManifest,
} from './view-manifest.js'

/**
 * Deletes the files of published versions older than the newest `keep` once they are older
 * than `graceMs` (servers still reading one have had that long to move on), then their
 * manifests. Returns the versions deleted.
 */
export async function deleteOldViewVersions(
  store: ObjectStore,
  options: { readonly keep?: number; readonly graceMs?: number; readonly now?: Date } = {},
): Promise<number[]> {
  const current = await currentViewVersion(store)
  const keep = options.keep ?? 2
  const cutoff = (options.now ?? new Date()).getTime() - (options.graceMs ?? 60 * 60_000)
  const deleted: number[] = []
  for (let version = current - keep; version >= 1; version--) {
    const manifest = await readViewManifest(store, version)
    if (manifest === undefined) break
    if (Date.parse(manifest.createdAt) > cutoff) continue
    for await (const o of listAll(store, `${VIEWS_PREFIX}_builds/v${version}/`))
      await store.delete(o.key)
    await store.delete(versionManifestKey(version))
    deleted.push(version)
  }
  if (deleted.length > 0) await deleteUnreferencedFiles(store, current)
  return deleted
}

/**
 * Deletes every shard file no remaining version lists: by listing, because files stay shared
 * with later versions after their own version is gone, and a retried shard build may have left
 * files no manifest names.
 */
async function deleteUnreferencedFiles(store: ObjectStore, current: number): Promise<void> {
  const kept: ViewVersionManifest[] = []
  for (let version = current; version >= 1; version--) {
    const manifest = await readViewManifest(store, version)
    if (manifest === undefined) break
    kept.push(manifest)
  }
  const referenced = new Set<string>()
  const views = new Set<string>()
  for (const manifest of kept)
    for (const [view, shards] of Object.entries(manifest.views)) {
      views.add(view)
      for (const [shard, files] of shards.entries())
        for (const file of files) referenced.add(storedFileKey(view, manifest.version, shard, file))
    }
  const oldest = Math.min(...kept.map((m) => m.version))
  for (const view of views)
    for await (const o of listAll(store, `${VIEWS_PREFIX}${view}/`)) {
      const version = Number(/\/v(\d+)\//.exec(o.key)?.[1] ?? Number.NaN)
      // A version being built now (newer than the pointer) is not touched.
      if (version < oldest && !referenced.has(o.key)) await store.delete(o.key)
    }
}
