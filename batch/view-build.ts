import { copyFile, link, mkdir, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { bucketStart, dayStart, nextBucket, type Granularity, type View } from '../schemas/index.js'
import type { ViewShardStore, ViewShardWriter } from '../schemas/ports/index.js'
import { splitEntryKey } from './partition-partials.js'
import { bucketRange, parseRowKey, shardOf, streamRange, viewRowKey } from './view-row-keys.js'

const DAY_MS = 86_400_000
const WRITE_BATCH = 10_000
/** Granularities merged from a stream's day rows once those are written. */
const FROM_DAYS: readonly Granularity[] = ['week', 'month']

/** What a version holds and which of its rows this build writes. */
export interface VersionContents {
  /**
   * Per stream, the days whose hour and day rows are (re)written; the week and month rows over
   * those days are then merged from day rows. A full build lists every day of every stream.
   */
  readonly days: ReadonlyMap<string, readonly string[]>
  /** Streams whose rows are removed (no longer registered). */
  readonly removed: readonly string[]
  /**
   * One stream's hour and day rows of one day, as partial entries: the view's name and the row
   * key (see `partialEntryKey`), and the encoded value.
   */
  rowsOf(stream: string, day: string): Promise<Iterable<readonly [string, Uint8Array]>>
}

export interface BuildOptions {
  readonly views: readonly View[]
  readonly shardStore: ViewShardStore
  /** Shards per view in the version. */
  readonly shards: number
  /** The shard to build. */
  readonly shard: number
  /** Where to build: `<dir>/<view>/shard-<k>`. */
  readonly dir: string
  /** A directory laid out as `dir` holding the previous version's shard, copied and changed. */
  readonly base?: string
}

export interface BuildReport {
  readonly rowsWritten: number
  readonly streamDays: number
}

/**
 * A shard's writes, batched, with one batch in flight while the next fills (LevelDB writes on
 * its own threads, so shards' writes overlap with decoding); everything is flushed before the
 * shard is read or cleared.
 */
class BufferedShard {
  private pending: [string, Uint8Array][] = []
  private inflight: Promise<void> | undefined
  private failure: Error | undefined
  written = 0

  constructor(readonly writer: ViewShardWriter) {}

  async put(key: string, value: Uint8Array): Promise<void> {
    this.pending.push([key, value])
    if (this.pending.length >= WRITE_BATCH) await this.send()
  }

  private async send(): Promise<void> {
    await this.settle()
    if (this.pending.length === 0) return
    const batch = this.pending
    this.pending = []
    this.written += batch.length
    this.inflight = this.writer.write(batch).catch((e: unknown) => {
      this.failure = e instanceof Error ? e : new Error(String(e))
    })
  }

  private async settle(): Promise<void> {
    if (this.inflight !== undefined) await this.inflight
    this.inflight = undefined
    if (this.failure !== undefined) throw this.failure
  }

  async flush(): Promise<void> {
    await this.send()
    await this.settle()
  }

  async clear(range: readonly [string, string]): Promise<void> {
    await this.flush()
    await this.writer.clear(range[0], range[1])
  }

  async *range(range: readonly [string, string]): AsyncGenerator<readonly [string, Uint8Array]> {
    await this.flush()
    yield* this.writer.range(range[0], range[1])
  }
}

/**
 * Builds shard `shard` of every view of a version in `dir` (`<dir>/<view>/shard-<k>`), with the
 * rows of the streams that hash to it: from nothing, or from a copy of the previous version's
 * shard with only the rows of changed (stream, day) pairs rewritten, so a run after one late
 * day writes that day and its week and month, not the whole history.
 */
export async function buildShard(
  contents: VersionContents,
  options: BuildOptions,
): Promise<BuildReport> {
  const { views, shards, shard, dir, base } = options
  const mine = (stream: string): boolean => shardOf(stream, shards) === shard
  const open = new Map<string, BufferedShard>()
  let streamDays = 0
  try {
    for (const view of views) {
      const path = join(dir, view.name, `shard-${shard}`)
      await rm(path, { recursive: true, force: true })
      if (base === undefined) await mkdir(path, { recursive: true })
      else await copyShardDir(join(base, view.name, `shard-${shard}`), path)
      const writer =
        base === undefined
          ? await options.shardStore.create(path)
          : await options.shardStore.reopen(path)
      open.set(view.name, new BufferedShard(writer))
    }
    const shardOfView = (view: View): BufferedShard => open.get(view.name) as BufferedShard
    for (const stream of contents.removed.filter(mine))
      for (const view of views) await shardOfView(view).clear(streamRange(stream))
    for (const [stream, days] of contents.days) {
      if (!mine(stream)) continue
      const rollups = new Map<Granularity, Set<number>>(FROM_DAYS.map((g) => [g, new Set()]))
      for (const day of [...days].sort()) {
        const start = dayStart(day)
        if (base !== undefined)
          for (const view of views) {
            await shardOfView(view).clear(bucketRange(stream, 'hour', start, start + DAY_MS))
            await shardOfView(view).clear(bucketRange(stream, 'day', start, start + 1))
          }
        await writeRows(await contents.rowsOf(stream, day), open)
        for (const [g, buckets] of rollups) buckets.add(bucketStart(start, g))
        streamDays++
      }
      for (const [granularity, buckets] of rollups)
        for (const bucket of buckets)
          for (const view of views)
            await rollUp(shardOfView(view), view, stream, granularity, bucket)
    }
  } finally {
    for (const buffered of open.values()) {
      await buffered.flush()
      await buffered.writer.close()
    }
  }
  let rowsWritten = 0
  for (const buffered of open.values()) rowsWritten += buffered.written
  return { rowsWritten, streamDays }
}

/**
 * A copy of a closed LevelDB directory to change: table files, which LevelDB never changes once
 * written, are hard-linked (so unchanged ones stay the same file, and need no upload); the
 * rest is copied.
 */
async function copyShardDir(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true })
  for (const name of await readdir(from)) {
    if (name === 'LOCK') continue
    if (name.endsWith('.ldb'))
      await link(join(from, name), join(to, name)).catch(() =>
        copyFile(join(from, name), join(to, name)),
      )
    else await copyFile(join(from, name), join(to, name))
  }
}

/** Puts each entry into its view's shard (`shards` by view name). */
async function writeRows(
  entries: Iterable<readonly [string, Uint8Array]>,
  shards: ReadonlyMap<string, BufferedShard>,
): Promise<void> {
  for (const [entryKey, bytes] of entries) {
    const [name, rowKey] = splitEntryKey(entryKey)
    await shards.get(name)?.put(rowKey, bytes)
  }
}

/** Replaces a stream's row of one week or month with the merge of its day rows. */
async function rollUp(
  shard: BufferedShard,
  view: View,
  stream: string,
  granularity: Granularity,
  bucket: number,
): Promise<void> {
  const merged = new Map<string, unknown>()
  for await (const [rowKey, bytes] of shard.range(
    bucketRange(stream, 'day', bucket, nextBucket(bucket, granularity)),
  )) {
    const { key } = parseRowKey(rowKey)
    const value = view.monoid.decode(bytes)
    const mine = merged.get(key)
    merged.set(key, mine === undefined ? value : view.monoid.merge(mine, value))
  }
  await shard.clear(bucketRange(stream, granularity, bucket, bucket + 1))
  for (const [key, value] of merged)
    await shard.put(viewRowKey(stream, granularity, bucket, key), view.monoid.encode(value))
}
