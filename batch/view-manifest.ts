import { createHash, randomUUID } from 'node:crypto'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { isJsonObject } from '../schemas/index.js'
import type { ObjectStore } from '../schemas/ports/index.js'

export const VIEWS_PREFIX = 'views/'
export const CURRENT_VIEWS_KEY = 'views/_current.json'
export const DEFAULT_SHARDS = 4

export function versionManifestKey(version: number): string {
  return `${VIEWS_PREFIX}_versions/v${version}.json`
}

export function shardFileKey(view: string, version: number, shard: number, name: string): string {
  return `${VIEWS_PREFIX}${view}/v${version}/shard-${shard}/${name}`
}

export interface ShardFile {
  readonly name: string
  readonly size: number
  readonly sha256: string
  /**
   * The version under whose prefix the file is stored, when an earlier one: a LevelDB table
   * file a build did not change is shared with the version it was built from, not uploaded again.
   */
  readonly storedIn?: number
}

/** Where a version's shard file is in the store. */
export function storedFileKey(
  view: string,
  version: number,
  shard: number,
  file: ShardFile,
): string {
  return shardFileKey(view, file.storedIn ?? version, shard, file.name)
}

/** A published batch version: every view's shards, and the watermark its data is complete up to. */
export interface ViewVersionManifest {
  readonly version: number
  /** Epoch ms: the views hold every interaction created before this time. */
  readonly watermark: number
  readonly masterVersion: number
  readonly createdAt: string
  readonly shards: number
  readonly views: Readonly<Record<string, readonly (readonly ShardFile[])[]>>
  /** The view definitions the rows were computed with (a change means a full build). */
  readonly definitions: string
  /** The streams the version holds. */
  readonly streams: readonly string[]
  /** Per partition (`type/date`), the fingerprint of the partials the version was built from. */
  readonly partitions: Readonly<Record<string, string>>
  /** The version this one was built from by changing only some rows, if any. */
  readonly base?: number
  readonly rowsWritten: number
}

/** A shard file in the store does not match its manifest. */
export class ShardChecksumError extends Error {
  override readonly name = 'ShardChecksumError'
  constructor(readonly key: string) {
    super(`view shard file ${key} is missing or does not match its manifest`)
  }
}

export const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value))
export const sha256 = (bytes: Uint8Array): string =>
  createHash('sha256').update(bytes).digest('hex')

async function readJson(
  store: ObjectStore,
  key: string,
): Promise<Record<string, unknown> | undefined> {
  const bytes = await store.get(key)
  if (bytes === undefined) return undefined
  const value: unknown = JSON.parse(new TextDecoder().decode(bytes))
  return isJsonObject(value) ? value : undefined
}

/** The version the pointer names, or 0 when none was published. */
export async function currentViewVersion(store: ObjectStore): Promise<number> {
  const pointer = await readJson(store, CURRENT_VIEWS_KEY)
  const version = pointer?.['version']
  return typeof version === 'number' ? version : 0
}

export async function readViewManifest(
  store: ObjectStore,
  version: number,
): Promise<ViewVersionManifest | undefined> {
  return (await readJson(store, versionManifestKey(version))) as ViewVersionManifest | undefined
}

/**
 * Copies one published shard into `dir` (replacing what is there), verifying every file
 * against the manifest; the files land under a temporary name and are renamed whole.
 */
export async function downloadShard(
  store: ObjectStore,
  manifest: ViewVersionManifest,
  view: string,
  shard: number,
  dir: string,
): Promise<void> {
  // A folder no other download uses, even one of the same shard at the same time.
  const partial = `${dir}.partial-${randomUUID()}`
  await rm(dir, { recursive: true, force: true })
  await mkdir(partial, { recursive: true })
  try {
    for (const file of manifest.views[view]?.[shard] ?? []) {
      const key = storedFileKey(view, manifest.version, shard, file)
      const bytes = await store.get(key)
      if (bytes === undefined || sha256(bytes) !== file.sha256) throw new ShardChecksumError(key)
      await writeFile(join(partial, file.name), bytes)
    }
    await rename(partial, dir)
  } catch (e) {
    await rm(partial, { recursive: true, force: true })
    throw e
  }
}
