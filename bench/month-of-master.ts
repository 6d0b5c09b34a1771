import type { ObjectStore } from '../schemas/ports/index.js'
import { shred } from '../shredder/index.js'
import { writeReplayedSegments } from './replayed-firehose.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR

/**
 * The master dataset of a stack that ran for a month: `records` replayed tweets created over
 * the 30 days up to the hour before last, shredded and compacted. Returns the window.
 */
export async function monthOfMaster(
  store: ObjectStore,
  options: { readonly dataDir: string; readonly records: number; readonly now: number },
): Promise<{ readonly start: number; readonly end: number }> {
  const end = Math.floor(options.now / HOUR) * HOUR - HOUR
  const start = end - 30 * DAY
  await writeReplayedSegments(store, {
    dataDir: options.dataDir,
    records: options.records,
    start,
    windowMs: end - start,
    segmentRecords: 20_000,
    date: new Date(end).toISOString().slice(0, 10),
  })
  await shred({ store, compact: true })
  return { start, end }
}
