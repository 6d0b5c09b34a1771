import type { RecordingWindow } from '../../speed/index.js'
import type { OutputChunk } from '../outputs/output-chunks.js'

export type RecordingFormat = 'ndjson' | 'csv' | 'parquet'

/** A scheduled recording as stored in `recordings/<id>/job.json`. */
export interface RecordingJob extends RecordingWindow {
  readonly owner: string
  readonly name?: string
  readonly format: RecordingFormat
  /** CSV columns (target paths); empty for the other formats. */
  readonly fields: readonly string[]
  readonly createdAt: string
  /** Records per output chunk. */
  readonly chunkRecords: number
}

export type RecordingState =
  'scheduled' | 'recording' | 'finalizing' | 'done' | 'failed' | 'cancelled'

/** A finished recording's output, written last. */
export interface RecordingManifest {
  readonly id: string
  readonly format: RecordingFormat
  readonly fields: readonly string[]
  /** The window actually recorded (an end moved earlier by cancelling). */
  readonly start: number
  readonly end: number
  readonly records: number
  readonly bytes: number
  readonly chunks: readonly OutputChunk[]
  readonly completedAt: string
}

/** Where a recording stands, as `recording(id)` reports it. */
export interface RecordingStatus {
  readonly job: RecordingJob
  readonly state: RecordingState
  /** The end in force: the scheduled one, or when it was cancelled if earlier. */
  readonly end: number
  /** Records appended so far (before de-duplication), or the output's once done. */
  readonly records: number
  /** Bytes stored so far (the compressed log), or the output's once done. */
  readonly bytes: number
  readonly chunks: readonly OutputChunk[]
  readonly manifest: RecordingManifest | undefined
  readonly cancelledAt: number | undefined
  readonly reason: string | undefined
}
