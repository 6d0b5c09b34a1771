import type { StreamCatalog } from '../../query-dsl/index.js'
import type { ObjectStore } from '../../schemas/ports/index.js'
import { recordingManifestKey } from '../../speed/index.js'
import type { OutputChunk } from '../outputs/output-chunks.js'
import {
  cancelRecording,
  deleteRecording,
  listRecordingJobs,
  readRecordingJob,
  RecordingError,
  scheduleRecording,
  type RecordingAsk,
} from './recording-job.js'
import { recordingStatus } from './recording-status.js'
import type { RecordingStatus } from './recording-types.js'

const PRESIGNED_SECONDS = 3600

export interface RecordingServiceOptions {
  /** Recordings a key may have scheduled, recording or finalizing at once (default 10). */
  readonly maxActive?: number
  readonly chunkRecords?: number
}

/** Scheduled recordings as the API offers them: each key sees and touches only its own. */
export class RecordingService {
  constructor(
    private readonly store: ObjectStore,
    private readonly catalog: StreamCatalog,
    private readonly options: RecordingServiceOptions = {},
  ) {}

  async schedule(ask: RecordingAsk): Promise<RecordingStatus> {
    const job = await scheduleRecording(this.store, this.catalog, ask, {
      maxActive: this.options.maxActive ?? 10,
      ...(this.options.chunkRecords === undefined
        ? {}
        : { chunkRecords: this.options.chunkRecords }),
    })
    return recordingStatus(this.store, job)
  }

  /** The owner's recording `id`, or undefined (also for another key's). */
  async get(owner: string, id: string): Promise<RecordingStatus | undefined> {
    const job = await readRecordingJob(this.store, id)
    return job?.owner === owner ? recordingStatus(this.store, job) : undefined
  }

  async list(owner: string): Promise<RecordingStatus[]> {
    return Promise.all(
      (await listRecordingJobs(this.store, owner)).map((j) => recordingStatus(this.store, j)),
    )
  }

  private async mine(owner: string, id: string): Promise<RecordingStatus> {
    const status = await this.get(owner, id)
    if (status === undefined) throw new RecordingError('NOT_FOUND', `you have no recording ${id}`)
    return status
  }

  async cancel(owner: string, id: string): Promise<RecordingStatus> {
    const status = await this.mine(owner, id)
    if (status.state !== 'scheduled' && status.state !== 'recording')
      throw new RecordingError('BAD_USER_INPUT', `recording ${id} is already ${status.state}`)
    await cancelRecording(this.store, status.job)
    return this.mine(owner, id)
  }

  /** Deletes a recording that is not running; a running one is cancelled first. */
  async delete(owner: string, id: string): Promise<RecordingStatus> {
    const status = await this.mine(owner, id)
    if (status.state === 'recording' || status.state === 'finalizing')
      throw new RecordingError(
        'BAD_USER_INPUT',
        `recording ${id} is ${status.state}; cancel it (cancelRecording) and delete it once it is done`,
      )
    await deleteRecording(this.store, status.job)
    return status
  }

  /** A URL for a chunk valid for an hour, where the store gives them out (S3). */
  presignedUrl(key: string): Promise<string | undefined> {
    return this.store.presignedGet(key, PRESIGNED_SECONDS)
  }

  /** A chunk of the owner's finished recording by file name, or its manifest; else undefined. */
  async file(
    owner: string,
    id: string,
    name: string,
  ): Promise<{ key: string; chunk?: OutputChunk } | undefined> {
    const status = await this.get(owner, id)
    if (status?.manifest === undefined) return undefined
    if (name === 'manifest.json') return { key: recordingManifestKey(id) }
    const chunk = status.chunks.find((c) => c.key.endsWith(`/${name}`))
    return chunk === undefined ? undefined : { key: chunk.key, chunk }
  }
}
