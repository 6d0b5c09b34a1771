import { readMasterSnapshot } from '../schemas/index.js'
import type { ObjectStore } from '../schemas/ports/index.js'
import { shred } from '../shredder/index.js'
import { writeReplayedSegments } from './replayed-firehose.js'

const DAY_MS = 86_400_000

/**
 * The benchmarks' master dataset: when `store` holds none, the Twitter sample replayed to
 * `records` interactions over `days` days from `start`, shredded (kept for later runs).
 */
export async function ensureReplayedMaster(
  store: ObjectStore,
  options: { records: number; days: number; start: number; dataDir: string },
): Promise<void> {
  if ((await readMasterSnapshot(store)).parts.size > 0) return
  console.log(
    `building it: the Twitter sample replayed to ${options.records.toLocaleString('en-US')} over ${options.days} days, shredded`,
  )
  await writeReplayedSegments(store, {
    dataDir: options.dataDir,
    records: options.records,
    start: options.start,
    windowMs: options.days * DAY_MS,
  })
  await shred({ store })
}
