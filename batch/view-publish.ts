import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { dayOf, isJsonObject, type View } from '../schemas/index.js'
import { listAll, type ObjectStore, type ViewShardStore } from '../schemas/ports/index.js'
import { entriesByStream, splitEntryKey } from './partition-partials.js'
import { parseAggregateKey, ViewAggregates, viewsSignature } from './view-aggregates.js'
import { parseRowKey } from './view-row-keys.js'
import { buildShard, type VersionContents } from './view-build.js'

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

const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value))
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

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
  const partial = `${dir}.partial-${process.pid}`
  await rm(partial, { recursive: true, force: true })
  await rm(dir, { recursive: true, force: true })
  await mkdir(partial, { recursive: true })
  for (const file of manifest.views[view]?.[shard] ?? []) {
    const key = shardFileKey(view, manifest.version, shard, file.name)
    const bytes = await store.get(key)
    if (bytes === undefined || sha256(bytes) !== file.sha256) throw new ShardChecksumError(key)
    await writeFile(join(partial, file.name), bytes)
  }
  await rename(partial, dir)
}

/** Where a machine keeps published shards it built or fetched: `<workDir>/published/v<N>/…`. */
function publishedDir(workDir: string, version: number): string {
  return join(workDir, 'published', `v${version}`)
}

const shardFilesSha = (manifest: ViewVersionManifest, shard: number): string =>
  sha256(json(Object.entries(manifest.views).map(([view, shards]) => [view, shards[shard]])))

/**
 * A local copy of one shard of every view of a published version, for a build to start from:
 * the one this machine built or fetched before when its files are the manifest's, else
 * downloaded and verified. Returns the directory laid out as `<dir>/<view>/shard-<k>`.
 */
async function localShardCopy(
  store: ObjectStore,
  manifest: ViewVersionManifest,
  shard: number,
  workDir: string,
): Promise<string> {
  const dir = publishedDir(workDir, manifest.version)
  const marker = join(dir, `shard-${shard}.ok`)
  const expected = shardFilesSha(manifest, shard)
  if ((await readFile(marker, 'utf8').catch(() => undefined)) === expected) return dir
  await rm(marker, { force: true })
  for (const view of Object.keys(manifest.views))
    await downloadShard(store, manifest, view, shard, join(dir, view, `shard-${shard}`))
  await writeFile(marker, expected)
  return dir
}

/** What building one shard index of a version gave: its files per view. */
export interface ShardResult {
  readonly shard: number
  readonly files: Readonly<Record<string, readonly ShardFile[]>>
  readonly rowsWritten: number
  readonly streamDays: number
}

export interface ShardBuildOptions {
  readonly views: readonly View[]
  readonly shardStore: ViewShardStore
  readonly version: number
  readonly shards: number
  readonly shard: number
  /** A local directory where shards are built (and the last published ones kept). */
  readonly workDir: string
  /** The version to start from (its rows outside `contents.days` are kept as they are). */
  readonly base?: ViewVersionManifest
}

/**
 * Builds one shard index of every view of version `version` (from the base version's copy when
 * given) and puts its files under `views/<view>/v<N>/shard-<k>/`. The built shard is kept in
 * `workDir` so this machine's next build of it can start from it without a download.
 */
export async function buildAndUploadShard(
  store: ObjectStore,
  contents: VersionContents,
  options: ShardBuildOptions,
): Promise<ShardResult> {
  const { version, shard, workDir } = options
  const base =
    options.base === undefined
      ? undefined
      : await localShardCopy(store, options.base, shard, workDir)
  const root = join(workDir, `build-v${version}-shard-${shard}-${process.pid}`)
  const report = await buildShard(contents, {
    views: options.views,
    shardStore: options.shardStore,
    shards: options.shards,
    shard,
    dir: root,
    ...(base === undefined ? {} : { base }),
  })
  const files: Record<string, ShardFile[]> = {}
  const kept = publishedDir(workDir, version)
  for (const view of options.views) {
    const dir = join(root, view.name, `shard-${shard}`)
    const list: ShardFile[] = []
    for (const name of (await readdir(dir)).sort()) {
      if (name === 'LOCK') continue
      const bytes = await readFile(join(dir, name))
      await store.put(shardFileKey(view.name, version, shard, name), bytes)
      list.push({ name, size: bytes.byteLength, sha256: sha256(bytes) })
    }
    files[view.name] = list
    const target = join(kept, view.name, `shard-${shard}`)
    await rm(target, { recursive: true, force: true })
    await mkdir(join(kept, view.name), { recursive: true })
    await rename(dir, target)
  }
  await rm(root, { recursive: true, force: true })
  // Builds only ever start from the newest version, so older local copies can go.
  for (const name of await readdir(join(workDir, 'published')))
    if (/^v\d+$/.test(name) && Number(name.slice(1)) < version - 1)
      await rm(join(workDir, 'published', name), { recursive: true, force: true })
  return { shard, files, rowsWritten: report.rowsWritten, streamDays: report.streamDays }
}

export interface CommitOptions {
  readonly version: number
  readonly views: readonly View[]
  readonly shards: number
  readonly watermark: number
  readonly masterVersion: number
  /** The streams the version holds. */
  readonly streams: readonly string[]
  readonly partitions: Readonly<Record<string, string>>
  readonly base?: ViewVersionManifest
  readonly now?: Date
}

/**
 * Publishes a version whose shards are all uploaded: writes its manifest (files, sizes,
 * checksums, watermark), and only then moves the pointer `views/_current.json` to it — one
 * put, so a reader sees the old version or the new one, never a mix.
 */
export async function commitVersion(
  store: ObjectStore,
  results: readonly ShardResult[],
  options: CommitOptions,
): Promise<ViewVersionManifest> {
  const ordered = [...results].sort((a, b) => a.shard - b.shard)
  if (ordered.length !== options.shards || ordered.some((r, i) => r.shard !== i))
    throw new Error(
      `version ${options.version} lacks shards: has ${ordered.map((r) => r.shard).join(',')}`,
    )
  const views: Record<string, (readonly ShardFile[])[]> = {}
  for (const view of options.views) views[view.name] = ordered.map((r) => r.files[view.name] ?? [])
  const manifest: ViewVersionManifest = {
    version: options.version,
    watermark: options.watermark,
    masterVersion: options.masterVersion,
    createdAt: (options.now ?? new Date()).toISOString(),
    shards: options.shards,
    views,
    definitions: viewsSignature(options.views),
    streams: [...options.streams].sort(),
    partitions: options.partitions,
    ...(options.base === undefined ? {} : { base: options.base.version }),
    rowsWritten: ordered.reduce((n, r) => n + r.rowsWritten, 0),
  }
  await store.put(versionManifestKey(options.version), json(manifest))
  await store.put(CURRENT_VIEWS_KEY, json({ version: options.version }))
  return manifest
}

export interface PublishOptions {
  readonly views: readonly View[]
  readonly shardStore: ViewShardStore
  readonly watermark: number
  readonly masterVersion: number
  readonly streams: readonly string[]
  readonly partitions: Readonly<Record<string, string>>
  readonly workDir: string
  readonly shards?: number
  readonly base?: ViewVersionManifest
  readonly now?: Date
}

/** Builds every shard of the next version in this process, then commits it. */
export async function publishVersion(
  store: ObjectStore,
  contents: VersionContents,
  options: PublishOptions,
): Promise<ViewVersionManifest> {
  const shards = options.base?.shards ?? options.shards ?? DEFAULT_SHARDS
  const version = (await currentViewVersion(store)) + 1
  const results: ShardResult[] = []
  for (let shard = 0; shard < shards; shard++)
    results.push(await buildAndUploadShard(store, contents, { ...options, version, shards, shard }))
  return commitVersion(store, results, { ...options, version, shards })
}

/**
 * Publishes in-memory aggregates (their hour and day rows; weeks and months are merged from
 * days) as a complete new version: for tools and tests that fold interactions directly.
 */
export async function publishViews(
  store: ObjectStore,
  shardStore: ViewShardStore,
  aggregates: ViewAggregates,
  options: Omit<PublishOptions, 'views' | 'shardStore' | 'streams' | 'partitions' | 'base'>,
): Promise<ViewVersionManifest> {
  const hoursAndDays = new ViewAggregates(aggregates.views)
  for (const [key, value] of aggregates.values) {
    const { granularity } = parseAggregateKey(key)
    if (granularity === 'hour' || granularity === 'day') hoursAndDays.values.set(key, value)
  }
  const byStreamDay = new Map<string, Map<string, [string, Uint8Array][]>>()
  for (const [stream, entries] of entriesByStream(hoursAndDays)) {
    const days = new Map<string, [string, Uint8Array][]>()
    for (const entry of entries) {
      const day = dayOf(parseRowKey(splitEntryKey(entry[0])[1]).bucket)
      days.set(day, [...(days.get(day) ?? []), entry])
    }
    byStreamDay.set(stream, days)
  }
  return publishVersion(
    store,
    {
      days: new Map([...byStreamDay].map(([stream, days]) => [stream, [...days.keys()]])),
      removed: [],
      rowsOf: (stream, day) => Promise.resolve(byStreamDay.get(stream)?.get(day) ?? []),
    },
    {
      ...options,
      views: aggregates.views,
      shardStore,
      streams: [...byStreamDay.keys()],
      partitions: {},
    },
  )
}

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
    // By listing, not by the manifest: a retried shard build may have left other files.
    for (const view of Object.keys(manifest.views))
      for await (const o of listAll(store, `${VIEWS_PREFIX}${view}/v${version}/`))
        await store.delete(o.key)
    for await (const o of listAll(store, `${VIEWS_PREFIX}_builds/v${version}/`))
      await store.delete(o.key)
    await store.delete(versionManifestKey(version))
    deleted.push(version)
  }
  return deleted
}
