import { createHash } from 'node:crypto'
import type { MatchedRecord } from '../../schemas/index.js'
import type { ObjectStore } from '../../schemas/ports/index.js'
import { encodeChunk } from '../replays/replay-chunk-format.js'
import type { ChunkFormat } from '../replays/replay-layout.js'

/** One output file of a replay or a recording. */
export interface OutputChunk {
  readonly key: string
  readonly records: number
  readonly bytes: number
  readonly sha256: string
  /** created_at of its first and last record (epoch ms). */
  readonly firstAt: number
  readonly lastAt: number
}

/**
 * Writes `records` (in output order) as chunks of at most `perChunk` records, the n-th under
 * `keyOf(n)`, and returns them. The same records give the same bytes under the same keys, so
 * two writers finishing the same output at once agree.
 */
export async function writeChunks(
  store: ObjectStore,
  records: readonly MatchedRecord[],
  options: {
    readonly keyOf: (n: number) => string
    readonly format: ChunkFormat
    readonly perChunk: number
    readonly fields?: readonly string[]
  },
): Promise<OutputChunk[]> {
  const chunks: OutputChunk[] = []
  for (let n = 0; n * options.perChunk < records.length; n++) {
    const slice = records.slice(n * options.perChunk, (n + 1) * options.perChunk)
    const body = await encodeChunk(slice, options.format, options.fields)
    const key = options.keyOf(n)
    await store.put(key, body)
    chunks.push({
      key,
      records: slice.length,
      bytes: body.byteLength,
      sha256: createHash('sha256').update(body).digest('hex'),
      firstAt: (slice[0] as MatchedRecord).at,
      lastAt: (slice[slice.length - 1] as MatchedRecord).at,
    })
  }
  return chunks
}
