import { listAll, type ObjectStore } from '../../schemas/ports/index.js'
import { parseRecordingLogKey, recordingLogPrefix } from '../../speed/index.js'
import {
  effectiveEnd,
  readRecordingCancelled,
  readRecordingFailure,
  readRecordingManifest,
} from './recording-finalize.js'
import type { RecordingJob, RecordingStatus } from './recording-types.js'

/** Where `job` stands now, from what is stored. */
export async function recordingStatus(
  store: ObjectStore,
  job: RecordingJob,
  now = Date.now(),
): Promise<RecordingStatus> {
  const [manifest, failure, cancelled] = await Promise.all([
    readRecordingManifest(store, job.id),
    readRecordingFailure(store, job.id),
    readRecordingCancelled(store, job.id),
  ])
  const cancelledAt = cancelled?.cancelledAt
  const end = effectiveEnd(job, cancelledAt)
  const common = { job, end, cancelledAt, reason: failure?.reason }
  if (manifest !== undefined)
    return {
      ...common,
      state: 'done',
      records: manifest.records,
      bytes: manifest.bytes,
      chunks: manifest.chunks,
      manifest,
    }
  // Per (day, job) the latest segment's count: a job stored twice counts once.
  const perJob = new Map<string, number>()
  let bytes = 0
  for await (const o of listAll(store, recordingLogPrefix(job.id))) {
    const segment = parseRecordingLogKey(o.key)
    if (segment === undefined) continue
    perJob.set(`${segment.date}/${segment.job}`, segment.records)
    bytes += o.size
  }
  let records = 0
  for (const n of perJob.values()) records += n
  const state =
    failure !== undefined
      ? 'failed'
      : cancelledAt !== undefined && cancelledAt <= job.start
        ? 'cancelled'
        : now < job.start
          ? 'scheduled'
          : now < end
            ? 'recording'
            : 'finalizing'
  return { ...common, state, records, bytes, chunks: [], manifest: undefined }
}
