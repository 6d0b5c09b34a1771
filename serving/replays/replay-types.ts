/** The shapes of a replay, shared by the modules that plan, run and report it. */
import type { ReplayFormat } from './replay-layout.js'

/** What a caller asks for. */
export interface ReplayRequest {
  /** The API key id the replay belongs to. */
  readonly owner: string
  readonly csdl: string
  /** The registered stream the filter came from, when it did. */
  readonly stream?: string
  /** `[from, to)` in epoch ms, over `interaction.created_at`. */
  readonly from: number
  readonly to: number
  /** Interaction types; every type when absent. */
  readonly types?: readonly string[]
  readonly format: ReplayFormat
  readonly name?: string
}

/** One (type, day) partition a replay reads: one task. */
export interface ReplayPartition {
  readonly type: string
  readonly date: string
  /** Rows of the partition's parts (what the task scans at most). */
  readonly rows: number
  readonly parts: number
}

/** A replay as stored in `replays/<id>/job.json`. */
export interface ReplayJob extends ReplayRequest {
  readonly id: string
  readonly hash: string
  readonly createdAt: string
  /** The master dataset version every task reads, so all see the same archive. */
  readonly masterVersion: number
  readonly partitions: readonly ReplayPartition[]
  /** Records per output chunk at most. */
  readonly chunkRecords: number
}

/** The unit of work on the replay queue. */
export interface ReplayTask {
  readonly replay: string
  readonly type: string
  readonly date: string
}
