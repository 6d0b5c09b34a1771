import { rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import {
  dimensionKey,
  type HyperLogLog,
  type TopDimension,
  type TopSummary,
  type View,
  type ViewQuery,
  type ViewRow,
  type VolumeDimension,
} from '../schemas/index.js'
import type { ObjectStore, ViewShardReader, ViewShardStore } from '../schemas/ports/index.js'
import { bucketRange, parseRowKey, shardOf } from './view-row-keys.js'
import {
  currentViewVersion,
  downloadShard,
  readViewManifest,
  type ViewVersionManifest,
} from './view-manifest.js'

interface LoadedVersion {
  readonly manifest: ViewVersionManifest
  /** Where this load's shards are: a folder of its own, whatever else loads meanwhile. */
  readonly dir: string
  /** The shards' folders: what {@link BatchViews.verify} checks are still there. */
  readonly shardDirs: string[]
  readonly readers: ReadonlyMap<string, ViewShardReader>
  /** Answers of this version already read (a version never changes), least recent first. */
  readonly answers: Map<string, ViewRow[]>
  active: number
  retired: boolean
}

export interface ViewAnswer {
  readonly version: number
  readonly watermark: number
  readonly rows: readonly ViewRow[]
}

/** One batch version held for several reads (see {@link BatchViews.pin}). */
export interface PinnedBatchViews {
  readonly version: number
  readonly watermark: number
  /** Rows are shared with later reads of the same range: merge them into copies. */
  range(query: ViewQuery): Promise<readonly ViewRow[]>
  release(): Promise<void>
}

/** A stream's buckets of one granularity starting in `[from, to)`. */
export type SpanQuery = Omit<ViewQuery, 'view' | 'keyPrefix'>

/** A read of the served version failed (a shard file damaged or removed): it is being reloaded. */
export class BatchViewsReadError extends Error {
  override readonly name = 'BatchViewsReadError'
  constructor(
    readonly version: number,
    options: { cause: unknown },
  ) {
    super(
      `batch version ${version} could not be read (${options.cause instanceof Error ? options.cause.message : String(options.cause)}); it is being loaded again, retry in a few seconds`,
      options,
    )
  }
}

/** How the served version stands: what is served, and the last failure to load or read it. */
export interface BatchViewsHealth {
  readonly version: number
  readonly loadedAt: number | undefined
  readonly lastError: string | undefined
  readonly lastErrorAt: number | undefined
  /** A reload after a failed read is under way (or waits for its next try). */
  readonly reloading: boolean
  /** Loads done again after a failed read or a file found missing, since the start. */
  readonly reloads: number
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
  /** The load under way: refreshes that come meanwhile wait for it instead of loading too. */
  private loading: Promise<number> | undefined
  private loads = 0
  private cleaned = false
  private loadedAt: number | undefined
  private failure: { readonly message: string; readonly at: number } | undefined
  /** Set when a read of the served version failed: the next refresh loads it again. */
  private broken = false
  private reloads = 0

  constructor(
    private readonly store: ObjectStore,
    private readonly shardStore: ViewShardStore,
    private readonly cacheDir: string,
    views: readonly View[],
    /** Answers kept per version (rows of one stream, view and range). */
    private readonly cachedAnswers = 2000,
  ) {
    this.byName = new Map(views.map((v) => [v.name, v]))
  }

  get version(): number {
    return this.current?.manifest.version ?? 0
  }

  /**
   * Whether the served version was built with `stream` (its history folded in: a stream
   * registered after the version has no batch rows until the next run backfills it).
   */
  covers(stream: string): { version: number; watermark: number; covered: boolean } {
    const manifest = this.current?.manifest
    return {
      version: manifest?.version ?? 0,
      watermark: manifest?.watermark ?? -Infinity,
      covered: manifest?.streams.includes(stream) ?? false,
    }
  }

  /** How the served version stands, for health checks. */
  health(): BatchViewsHealth {
    return {
      version: this.version,
      loadedAt: this.loadedAt,
      lastError: this.failure?.message,
      lastErrorAt: this.failure?.at,
      reloading: this.broken,
      reloads: this.reloads,
    }
  }

  /**
   * Checks that every shard of the served version is still in the cache; one removed makes the
   * version load again, whole, before a read runs into it (a damaged file is found by the read
   * that fails on it, which does the same). Cheap: a `stat` per shard.
   */
  async verify(): Promise<void> {
    const served = this.current
    if (served === undefined || this.broken) return
    for (const dir of served.shardDirs) {
      // LevelDB rewrites its tables and manifest as it compacts, but CURRENT is always there
      // (replaced by a rename): its absence means the shard was removed under us.
      const present = await stat(join(dir, 'CURRENT')).then(
        () => true,
        () => false,
      )
      if (present) continue
      if (served !== this.current || this.broken) return
      this.markBroken(served, `${dir} was removed from the cache`)
      return
    }
  }

  private markBroken(served: LoadedVersion, why: string): void {
    this.broken = true
    this.failure = { message: `version ${served.manifest.version}: ${why}`, at: Date.now() }
    this.refresh().catch(() => undefined)
  }

  /**
   * Loads the published version if it is newer (or the served one again, after a read of it
   * failed); returns the version now served. One load at a time: a refresh that comes while
   * one runs waits for it.
   */
  refresh(): Promise<number> {
    this.loading ??= this.load().finally(() => {
      this.loading = undefined
    })
    return this.loading
  }

  private async load(): Promise<number> {
    try {
      if (!this.cleaned) {
        // What an earlier process left here (a load cut short) is never served: start clean.
        await rm(this.cacheDir, { recursive: true, force: true })
        this.cleaned = true
      }
      const served = await this.loadPublished()
      this.failure = undefined
      return served
    } catch (e) {
      this.failure = { message: e instanceof Error ? e.message : String(e), at: Date.now() }
      throw e
    }
  }

  private async loadPublished(): Promise<number> {
    const version = await currentViewVersion(this.store)
    if (version === 0 || (version === this.current?.manifest.version && !this.broken))
      return this.version
    const manifest = await readViewManifest(this.store, version)
    if (manifest === undefined) return this.version
    const readers = new Map<string, ViewShardReader>()
    const loaded: LoadedVersion = {
      manifest,
      dir: join(this.cacheDir, `v${manifest.version}-${++this.loads}`),
      shardDirs: [],
      readers,
      answers: new Map(),
      active: 0,
      retired: false,
    }
    try {
      for (const [view, shards] of Object.entries(manifest.views))
        for (let shard = 0; shard < shards.length; shard++) {
          const dir = join(loaded.dir, view, `shard-${shard}`)
          await downloadShard(this.store, manifest, view, shard, dir)
          readers.set(`${view}/${shard}`, await this.shardStore.open(dir))
          loaded.shardDirs.push(dir)
        }
    } catch (e) {
      // A version that cannot be loaded whole is not served at all.
      await this.closeVersion(loaded)
      throw e
    }
    if (this.broken) this.reloads++
    this.broken = false
    this.loadedAt = Date.now()
    const previous = this.current
    this.current = loaded
    if (previous !== undefined) {
      previous.retired = true
      if (previous.active === 0) await this.closeVersion(previous)
    }
    return this.version
  }

  private async closeVersion(loaded: LoadedVersion): Promise<void> {
    for (const reader of loaded.readers.values()) await reader.close().catch(() => undefined)
    await rm(loaded.dir, { recursive: true, force: true })
  }

  /**
   * The version served now, held for several reads, so an answer assembled from many reads
   * comes from one version even if another is published meanwhile; `release` when done.
   * Undefined before any version is loaded.
   */
  pin(): PinnedBatchViews | undefined {
    const pinned = this.current
    if (pinned === undefined) return undefined
    pinned.active++
    let released = false
    return {
      version: pinned.manifest.version,
      watermark: pinned.manifest.watermark,
      range: (query) => this.read(pinned, query),
      release: async () => {
        if (released) return
        released = true
        pinned.active--
        if (pinned.retired && pinned.active === 0) await this.closeVersion(pinned)
      },
    }
  }

  private async read(pinned: LoadedVersion, query: ViewQuery): Promise<ViewRow[]> {
    const view = this.byName.get(query.view)
    if (view === undefined) throw new Error(`unknown view ${query.view}`)
    const id = `${query.stream}\u0000${query.view}\u0000${query.granularity}\u0000${query.from}\u0000${query.to}\u0000${query.keyPrefix ?? ''}`
    const hit = pinned.answers.get(id)
    if (hit !== undefined) {
      pinned.answers.delete(id)
      pinned.answers.set(id, hit)
      return hit
    }
    const rows = await this.readRows(pinned, view, query)
    pinned.answers.set(id, rows)
    for (const old of pinned.answers.keys()) {
      if (pinned.answers.size <= this.cachedAnswers) break
      pinned.answers.delete(old)
    }
    return rows
  }

  private async readRows(pinned: LoadedVersion, view: View, query: ViewQuery): Promise<ViewRow[]> {
    const reader = pinned.readers.get(
      `${query.view}/${shardOf(query.stream, pinned.manifest.shards)}`,
    )
    const rows: ViewRow[] = []
    if (reader === undefined) return rows
    const [gte, lt] = bucketRange(query.stream, query.granularity, query.from, query.to)
    try {
      for await (const [rowKey, bytes] of reader.range(gte, lt)) {
        const { bucket, key } = parseRowKey(rowKey)
        if (query.keyPrefix !== undefined && !key.startsWith(query.keyPrefix)) continue
        rows.push({ bucket, key, value: view.monoid.decode(bytes) })
      }
    } catch (cause) {
      // A shard file damaged or removed under us: the version is loaded again, whole, into a
      // folder of its own, and this read says so.
      if (pinned === this.current && !this.broken)
        this.markBroken(
          pinned,
          `a read failed: ${cause instanceof Error ? cause.message : String(cause)}`,
        )
      throw new BatchViewsReadError(pinned.manifest.version, { cause })
    }
    return rows
  }

  /** The rows of one stream's view over a time range, from one version. */
  async range(query: ViewQuery): Promise<ViewAnswer> {
    const pinned = this.pin()
    if (pinned === undefined) return { version: 0, watermark: -Infinity, rows: [] }
    try {
      return {
        version: pinned.version,
        watermark: pinned.watermark,
        rows: await pinned.range(query),
      }
    } finally {
      await pinned.release()
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
    // Rows are shared with later reads: merged into a copy, never into a row's own value.
    for (const row of answer.rows)
      values.set(row.key, view.monoid.merge(values.get(row.key) ?? view.monoid.empty(), row.value))
    return { version: answer.version, watermark: answer.watermark, values }
  }

  /** A stream's volume per bucket, in total or broken down by one dimension's values. */
  async volume(query: SpanQuery & { readonly dimension?: VolumeDimension }): Promise<{
    readonly version: number
    readonly watermark: number
    readonly rows: readonly {
      readonly bucket: number
      readonly value: string
      readonly count: number
    }[]
  }> {
    const prefix = query.dimension === undefined ? undefined : dimensionKey(query.dimension, '')
    const answer = await this.range({
      ...query,
      view: query.dimension === undefined ? 'volume' : 'volume_by',
      ...(prefix === undefined ? {} : { keyPrefix: prefix }),
    })
    return {
      version: answer.version,
      watermark: answer.watermark,
      rows: answer.rows.map((r) => ({
        bucket: r.bucket,
        value: prefix === undefined ? '' : r.key.slice(prefix.length),
        count: r.value as number,
      })),
    }
  }

  /** A stream's top values of one dimension over the range: the merged summary. */
  async top(query: SpanQuery & { readonly dimension: TopDimension }): Promise<{
    readonly version: number
    readonly watermark: number
    readonly summary: TopSummary | undefined
  }> {
    const answer = await this.merged({ ...query, view: 'top', keyPrefix: query.dimension })
    const summary = answer.values.get(query.dimension) as TopSummary | undefined
    return { version: answer.version, watermark: answer.watermark, summary }
  }

  /** A stream's distinct authors over the range: the merged sketch. */
  async uniques(query: SpanQuery): Promise<{
    readonly version: number
    readonly watermark: number
    readonly sketch: HyperLogLog | undefined
  }> {
    const answer = await this.merged({ ...query, view: 'unique_authors' })
    return {
      version: answer.version,
      watermark: answer.watermark,
      sketch: answer.values.get('') as HyperLogLog | undefined,
    }
  }

  async close(): Promise<void> {
    if (this.current !== undefined) await this.closeVersion(this.current)
    this.current = undefined
  }
}
