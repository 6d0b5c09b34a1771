import { readMasterSnapshot, type View } from '../schemas/index.js'
import type { ObjectStore, ViewShardStore } from '../schemas/ports/index.js'
import { partialRows } from './partition-partials.js'
import { readViewManifest, VIEWS_PREFIX } from './view-manifest.js'
import { buildAndUploadShard, type ShardResult } from './view-publish.js'

/**
 * One unit of a version build: shard `shard` of every view, for the streams that hash to it —
 * the reduce side of the batch job (ElephantDB's shards were built by reducers), so workers
 * build shards in parallel and the coordinator only commits the manifest.
 */
export interface ShardTask {
  readonly kind: 'shard'
  /** This build attempt; a result from another attempt of the same version is not used. */
  readonly build: string
  readonly version: number
  readonly masterVersion: number
  readonly shards: number
  readonly shard: number
  /** The version the shard starts from, if any. */
  readonly base?: number
  /** Per stream of this shard, the days whose rows are rebuilt. */
  readonly days: Readonly<Record<string, readonly string[]>>
  /** Streams of this shard whose rows are removed. */
  readonly removed: readonly string[]
}

export function shardResultKey(version: number, shard: number): string {
  return `${VIEWS_PREFIX}_builds/v${version}/shard-${shard}.json`
}

interface StoredResult extends ShardResult {
  readonly build: string
}

/** Builds and uploads the task's shard, then records its result for the coordinator. */
export async function runShardTask(
  store: ObjectStore,
  views: readonly View[],
  shardStore: ViewShardStore,
  task: ShardTask,
  workDir: string,
): Promise<ShardResult> {
  const snapshot = await readMasterSnapshot(store, { atVersion: task.masterVersion })
  const base = task.base === undefined ? undefined : await readViewManifest(store, task.base)
  if (task.base !== undefined && base === undefined)
    throw new Error(`base version ${task.base} of version ${task.version} is gone`)
  const result = await buildAndUploadShard(
    store,
    {
      days: new Map(Object.entries(task.days)),
      removed: task.removed,
      rowsOf: partialRows(store, views, snapshot),
    },
    {
      views,
      shardStore,
      version: task.version,
      shards: task.shards,
      shard: task.shard,
      workDir,
      ...(base === undefined ? {} : { base }),
    },
  )
  const stored: StoredResult = { build: task.build, ...result }
  await store.put(
    shardResultKey(task.version, task.shard),
    new TextEncoder().encode(JSON.stringify(stored)),
  )
  return result
}

/** The result a worker recorded for `task`, if this attempt's build of it finished. */
export async function readShardResult(
  store: ObjectStore,
  task: ShardTask,
): Promise<ShardResult | undefined> {
  const bytes = await store.get(shardResultKey(task.version, task.shard))
  if (bytes === undefined) return undefined
  const stored = JSON.parse(new TextDecoder().decode(bytes)) as StoredResult
  if (stored.build !== task.build || stored.shard !== task.shard) return undefined
  const { build: _build, ...result } = stored
  return result
}
