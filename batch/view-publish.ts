import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { dayOf, type View } from '../schemas/index.js'
import type { ObjectStore, ViewShardStore } from '../schemas/ports/index.js'
import { entriesByStream, splitEntryKey } from './partition-partials.js'
import { parseAggregateKey, ViewAggregates, viewsSignature } from './view-aggregates.js'
import { buildShard, type VersionContents } from './view-build.js'
import {
  CURRENT_VIEWS_KEY,
  currentViewVersion,
  DEFAULT_SHARDS,
  downloadShard,
  json,
  sha256,
  shardFileKey,
  versionManifestKey,
  type ShardFile,
  type ViewVersionManifest,
} from './view-manifest.js'
import { parseRowKey } from './view-row-keys.js'

/** Where a machine keeps published shards it built or fetched: `<workDir>/published/v<N>/…`. */
function publishedDir(workDir: string, version: number): string {
  return join(workDir, 'published', `v${version}`)
}

/** What a shard's local copy is checked against: every view's file list of that shard. */
const shardFilesSha = (files: Readonly<Record<string, readonly ShardFile[] | undefined>>): string =>
  sha256(json(Object.entries(files)))

const filesOfShard = (
  manifest: ViewVersionManifest,
  shard: number,
): Record<string, readonly ShardFile[] | undefined> =>
  Object.fromEntries(Object.entries(manifest.views).map(([view, shards]) => [view, shards[shard]]))

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
  const expected = shardFilesSha(filesOfShard(manifest, shard))
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
      const shared =
        base === undefined || options.base === undefined
          ? undefined
          : await unchangedFile(
              join(base, view.name, `shard-${shard}`),
              dir,
              name,
              options.base,
              view.name,
              shard,
            )
      if (shared !== undefined) {
        list.push(shared)
        continue
      }
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
  // This machine's copy of the shard, for its next build to start from without a download.
  await writeFile(join(kept, `shard-${shard}.ok`), shardFilesSha(files))
  await rm(root, { recursive: true, force: true })
  // Builds only ever start from the newest version, so older local copies can go.
  for (const name of await readdir(join(workDir, 'published')))
    if (/^v\d+$/.test(name) && Number(name.slice(1)) < version - 1)
      await rm(join(workDir, 'published', name), { recursive: true, force: true })
  return { shard, files, rowsWritten: report.rowsWritten, streamDays: report.streamDays }
}

/**
 * The base version's entry for a file the build left as it was (the same hard-linked table
 * file), pointing at where it is already stored; undefined for a new or changed file.
 */
async function unchangedFile(
  baseDir: string,
  dir: string,
  name: string,
  base: ViewVersionManifest,
  view: string,
  shard: number,
): Promise<ShardFile | undefined> {
  if (!name.endsWith('.ldb')) return undefined
  const known = base.views[view]?.[shard]?.find((f) => f.name === name)
  if (known === undefined) return undefined
  const [mine, theirs] = await Promise.all([
    stat(join(dir, name)),
    stat(join(baseDir, name)).catch(() => undefined),
  ])
  if (theirs === undefined || mine.ino !== theirs.ino || mine.size !== known.size) return undefined
  return { ...known, storedIn: known.storedIn ?? base.version }
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
