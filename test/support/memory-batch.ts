import { runBatchJob, type BatchJobReport, type BatchTask } from '../../batch/index.js'
import { openJobQueue } from '../../infra/adapters/open-job-queue.js'
import { LevelShardStore } from '../../infra/adapters/view-shards/level-shard-store.js'
import { VIEWS, type View } from '../../schemas/index.js'
import type { ObjectStore } from '../../schemas/ports/index.js'

/** One batch run in this process (two workers on an in-process queue), as a test's setup. */
export async function runMemoryBatch(
  store: ObjectStore,
  workDir: string,
  views: readonly View[] = VIEWS,
): Promise<BatchJobReport> {
  const queue = openJobQueue<BatchTask>({ kind: 'memory' }, 'batch')
  try {
    return await runBatchJob({
      store,
      queue,
      shardStore: new LevelShardStore(),
      views,
      workers: 2,
      workDir,
      pollMs: 20,
    })
  } finally {
    await queue.close()
  }
}
