import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, rm, writeFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { hash32, isJsonObject, type Granularity, type View } from '../schemas/index.js'
import type { ObjectStore, ViewShardReader, ViewShardStore } from '../schemas/ports/index.js'
import { parseAggregateKey, type ViewAggregates } from './view-aggregates.js'

export const VIEWS_PREFIX = 'views/'
export const CURRENT_VIEWS_KEY = 'views/_current.json'
const SEP = '\u0000'
// Buckets are encoded fixed-width, so key order is time order (from 1938 on).
const BUCKET_OFFSET = 1e15
const WRITE_BATCH = 10_000

export function versionManifestKey(version: number): string {
  return `${VIEWS_PREFIX}_versions/v${version}.json`
}

function bucketText(ms: number): string {
  return String(ms + BUCKET_OFFSET).padStart(16, '0')
}

/** The key of a value in a view's shard: stream, granularity, bucket, then the view's key. */
export function viewRowKey(
  stream: string,
  granularity: Granularity,
  bucket: number,
  key: string,
): string {
  return `${stream}${SEP}${granularity}${SEP}${bucketText(bucket)}${SEP}${key}`
}

/** The shard of a stream's rows: all of one stream's rows of a view are in one shard. */
export function shardOf(stream: string, shards: number): number {
  return hash32(stream) % shards
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
}

const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value))

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

export interface PublishOptions {
  readonly watermark: number
  readonly masterVersion: number
  readonly shards?: number
  /** A local directory where shards are built before they are published. */
  readonly workDir: string
  readonly now?: Date
}

/**
 * Publishes `aggregates` as the next batch version: builds each view's shards in `workDir`,
 * puts their files under `views/<view>/v<N>/shard-<k>/`, writes the version's manifest (files,
 * sizes, checksums, watermark), and only then moves the pointer `views/_current.json` to it —
 * one put, so a reader sees the old version or the new one, never a mix.
 */
export async function publishViews(
  store: ObjectStore,
  shardStore: ViewShardStore,
  aggregates: ViewAggregates,
  options: PublishOptions,
): Promise<ViewVersionManifest> {
  const shards = options.shards ?? 4
  const version = (await currentViewVersion(store)) + 1
  const rows = new Map<string, [string, Uint8Array][]>()
  const byName = new Map(aggregates.views.map((v) => [v.name, v]))
  for (const [key, value] of aggregates.values) {
    const k = parseAggregateKey(key)
    const view = byName.get(k.view)
    if (view === undefined) continue
    const place = `${k.view}/${shardOf(k.stream, shards)}`
    const list = rows.get(place) ?? []
    list.push([viewRowKey(k.stream, k.granularity, k.bucket, k.key), view.monoid.encode(value)])
    rows.set(place, list)
  }
  const views: Record<string, ShardFile[][]> = {}
  const root = join(options.workDir, `v${version}-${process.pid}`)
  await rm(root, { recursive: true, force: true })
  for (const view of aggregates.views) {
    views[view.name] = []
    for (let shard = 0; shard < shards; shard++) {
      const dir = join(root, view.name, `shard-${shard}`)
      await mkdir(dir, { recursive: true })
      const writer = await shardStore.create(dir)
      const entries = rows.get(`${view.name}/${shard}`) ?? []
      for (let i = 0; i < entries.length; i += WRITE_BATCH)
        await writer.write(entries.slice(i, i + WRITE_BATCH))
      await writer.close()
      const files: ShardFile[] = []
      for (const name of (await readdir(dir)).sort()) {
        if (name === 'LOCK') continue
        const bytes = await readFile(join(dir, name))
        await store.put(`${VIEWS_PREFIX}${view.name}/v${version}/shard-${shard}/${name}`, bytes)
        files.push({
          name,
          size: bytes.byteLength,
          sha256: createHash('sha256').update(bytes).digest('hex'),
        })
      }
      views[view.name]?.push(files)
    }
  }
  await rm(root, { recursive: true, force: true })
  const manifest: ViewVersionManifest = {
    version,
    watermark: options.watermark,
    masterVersion: options.masterVersion,
    createdAt: (options.now ?? new Date()).toISOString(),
    shards,
    views,
  }
  await store.put(versionManifestKey(version), json(manifest))
  await store.put(CURRENT_VIEWS_KEY, json({ version }))
  return manifest
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
    for (const [view, shards] of Object.entries(manifest.views))
      for (const [shard, files] of shards.entries())
        for (const file of files)
          await store.delete(`${VIEWS_PREFIX}${view}/v${version}/shard-${shard}/${file.name}`)
    await store.delete(versionManifestKey(version))
    deleted.push(version)
  }
  return deleted
}

/** A shard file in the store does not match its manifest. */
export class ShardChecksumError extends Error {
  override readonly name = 'ShardChecksumError'
  constructor(readonly key: string) {
    super(`view shard file ${key} is missing or does not match its manifest`)
  }
}

interface LoadedVersion {
  readonly manifest: ViewVersionManifest
  readonly readers: ReadonlyMap<string, ViewShardReader>
  active: number
  retired: boolean
}

/** One row of a view answer. */
export interface ViewRow {
  readonly bucket: number
  readonly key: string
  readonly value: unknown
}

export interface ViewAnswer {
  readonly version: number
  readonly watermark: number
  readonly rows: readonly ViewRow[]
}

export interface ViewQuery {
  readonly stream: string
  readonly view: string
  readonly granularity: Granularity
  /** Buckets starting in `[from, to)`. */
  readonly from: number
  readonly to: number
  /** Only rows whose view key starts with this (e.g. one dimension of `volume_by`). */
  readonly keyPrefix?: string
}

/**
 * The batch views as servers read them: the current version's shards, copied from the object
 * store into `cacheDir` (checksums verified) and opened read-only. `refresh` switches to a
 * newer version once it is fully loaded; a query pins the version it started on, so it never
 * sees a mix, and an old version's shards close when its last query ends.
 */
export class BatchViews {
  private current: LoadedVersion | undefined
  private readonly byName: ReadonlyMap<string, View>

  constructor(
    private readonly store: ObjectStore,
    private readonly shardStore: ViewShardStore,
    private readonly cacheDir: string,
    views: readonly View[],
  ) {
    this.byName = new Map(views.map((v) => [v.name, v]))
  }

  get version(): number {
    return this.current?.manifest.version ?? 0
  }

  /** Loads the published version if it is newer; returns the version now served. */
  async refresh(): Promise<number> {
    const version = await currentViewVersion(this.store)
    if (version === 0 || version === this.current?.manifest.version) return this.version
    const manifest = await readViewManifest(this.store, version)
    if (manifest === undefined) return this.version
    const readers = new Map<string, ViewShardReader>()
    const loaded: LoadedVersion = { manifest, readers, active: 0, retired: false }
    try {
      for (const [view, shards] of Object.entries(manifest.views))
        for (const [shard, files] of shards.entries()) {
          const dir = await this.download(manifest.version, view, shard, files)
          readers.set(`${view}/${shard}`, await this.shardStore.open(dir))
        }
    } catch (e) {
      // A version that cannot be loaded whole is not served at all.
      await this.closeVersion(loaded)
      throw e
    }
    const previous = this.current
    this.current = loaded
    if (previous !== undefined) {
      previous.retired = true
      if (previous.active === 0) await this.closeVersion(previous)
    }
    return this.version
  }

  private async download(
    version: number,
    view: string,
    shard: number,
    files: readonly ShardFile[],
  ): Promise<string> {
    const dir = join(this.cacheDir, `v${version}`, view, `shard-${shard}`)
    const partial = `${dir}.partial-${process.pid}`
    await rm(partial, { recursive: true, force: true })
    await rm(dir, { recursive: true, force: true })
    await mkdir(partial, { recursive: true })
    for (const file of files) {
      const key = `${VIEWS_PREFIX}${view}/v${version}/shard-${shard}/${file.name}`
      const bytes = await this.store.get(key)
      if (bytes === undefined || createHash('sha256').update(bytes).digest('hex') !== file.sha256)
        throw new ShardChecksumError(key)
      await writeFile(join(partial, file.name), bytes)
    }
    await rename(partial, dir)
    return dir
  }

  private async closeVersion(loaded: LoadedVersion): Promise<void> {
    for (const reader of loaded.readers.values()) await reader.close()
    await rm(join(this.cacheDir, `v${loaded.manifest.version}`), { recursive: true, force: true })
  }

  /** The rows of one stream's view over a time range, from one version. */
  async range(query: ViewQuery): Promise<ViewAnswer> {
    const pinned = this.current
    if (pinned === undefined) return { version: 0, watermark: -Infinity, rows: [] }
    const view = this.byName.get(query.view)
    if (view === undefined) throw new Error(`unknown view ${query.view}`)
    pinned.active++
    try {
      const reader = pinned.readers.get(
        `${query.view}/${shardOf(query.stream, pinned.manifest.shards)}`,
      )
      const rows: ViewRow[] = []
      if (reader !== undefined) {
        const prefix = `${query.stream}${SEP}${query.granularity}${SEP}`
        for await (const [key, bytes] of reader.range(
          prefix + bucketText(query.from),
          prefix + bucketText(query.to),
        )) {
          const rest = key.slice(prefix.length)
          const viewKey = rest.slice(17)
          if (query.keyPrefix !== undefined && !viewKey.startsWith(query.keyPrefix)) continue
          rows.push({
            bucket: Number(rest.slice(0, 16)) - BUCKET_OFFSET,
            key: viewKey,
            value: view.monoid.decode(bytes),
          })
        }
      }
      return { version: pinned.manifest.version, watermark: pinned.manifest.watermark, rows }
    } finally {
      pinned.active--
      if (pinned.retired && pinned.active === 0) await this.closeVersion(pinned)
    }
  }

  /**
   * One value per view key over the whole range (the buckets' values merged): a stream's unique
   * authors over a month of days, its top hashtags over a week of hours, and so on.
   */
  async merged(query: ViewQuery): Promise<{
    readonly version: number
    readonly watermark: number
    readonly values: ReadonlyMap<string, unknown>
  }> {
    const view = this.byName.get(query.view)
    if (view === undefined) throw new Error(`unknown view ${query.view}`)
    const answer = await this.range(query)
    const values = new Map<string, unknown>()
    for (const row of answer.rows) {
      const mine = values.get(row.key)
      values.set(row.key, mine === undefined ? row.value : view.monoid.merge(mine, row.value))
    }
    return { version: answer.version, watermark: answer.watermark, values }
  }

  async close(): Promise<void> {
    if (this.current !== undefined) await this.closeVersion(this.current)
    this.current = undefined
  }
}
