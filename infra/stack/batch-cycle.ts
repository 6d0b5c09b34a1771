import { join } from 'node:path'
import {
  currentViewVersion,
  readViewManifest,
  runBatchJob,
  type BatchTask,
} from '../../batch/index.js'
import { StreamCatalog } from '../../query-dsl/index.js'
import { readMasterSnapshot, VIEWS } from '../../schemas/index.js'
import type { ObjectStore } from '../../schemas/ports/index.js'
import { shred } from '../../shredder/index.js'
import { openJobQueue } from '../adapters/open-job-queue.js'
import { openObjectStore } from '../adapters/open-object-store.js'
import { LevelShardStore } from '../adapters/view-shards/level-shard-store.js'
import type { StoreConfig } from '../config/adapter-urls.js'

/** Where a cycle reads and writes: plain data, so it can cross to the cycle's child process. */
export interface BatchCycleConfig {
  readonly store: StoreConfig
  /** The batch job's local work folder. */
  readonly workDir: string
}

/** What one cycle did. */
export interface BatchCycleReport {
  readonly segmentsShredded: number
  readonly interactions: number
  /** The version published (absent: nothing new to publish). */
  readonly version?: number
  readonly watermark?: number
  readonly ms: number
}

/** Whether the published views miss a master version or a registered stream. */
async function viewsBehind(store: ObjectStore): Promise<boolean> {
  const snapshot = await readMasterSnapshot(store)
  if (snapshot.version === 0) return false
  const published = await currentViewVersion(store)
  const manifest = published === 0 ? undefined : await readViewManifest(store, published)
  if (manifest === undefined || manifest.masterVersion !== snapshot.version) return true
  const held = new Set(manifest.streams)
  return (await new StreamCatalog(store).list()).some((s) => !held.has(s.hash))
}

/**
 * One cycle of the batch layer in a stack: the raw segments not yet shredded into the master
 * dataset, then, if any were or the views are behind the master dataset or the streams, the
 * batch views recomputed and published as the next version.
 */
export async function runBatchCycle(config: BatchCycleConfig): Promise<BatchCycleReport> {
  const started = performance.now()
  const store = openObjectStore(config.store)
  const shredded = await shred({ store, compact: false })
  // Nothing new since the last version (or no data at all yet): nothing to publish. What an
  // earlier cycle shredded but did not publish (it failed), or a stream added since, is new.
  if (shredded.segmentsShredded === 0 && !(await viewsBehind(store)))
    return { segmentsShredded: 0, interactions: 0, ms: performance.now() - started }
  const queue = openJobQueue<BatchTask>({ kind: 'memory' }, 'batch')
  try {
    const report = await runBatchJob({
      store,
      queue,
      shardStore: new LevelShardStore(),
      views: VIEWS,
      workers: 1,
      workDir: join(config.workDir),
    })
    return {
      segmentsShredded: shredded.segmentsShredded,
      interactions: shredded.interactions,
      version: report.version.version,
      watermark: report.version.watermark,
      ms: performance.now() - started,
    }
  } finally {
    await queue.close()
  }
}
