import { gzipSync } from 'node:zlib'
import { envelopePrefix, rawSegmentKey } from '../../schemas/index.js'
import type { ObjectStore } from '../../schemas/ports/index.js'

export interface RawSegmentSpec {
  /** The source format the records were received as (twitter-v1, reddit, …). */
  readonly source: string
  /** Receipt day of the segment. */
  readonly date: string
  readonly collector?: string
  readonly segment: number
  /** Record texts as received (need not be valid JSON). */
  readonly records: readonly string[]
  /** Lines written as they are, without an envelope (a damaged log). */
  readonly brokenLines?: readonly string[]
}

/** The gzip bytes of a raw-log segment in the collector's envelope format. */
export function rawSegmentBytes(spec: RawSegmentSpec): Uint8Array {
  const collector = spec.collector ?? 'c1'
  const receivedAt = `${spec.date}T12:00:00.000Z`
  const lines = spec.records.map(
    (record, seq) =>
      `${envelopePrefix(spec.source, receivedAt, collector, spec.segment, seq, undefined)}${record}}`,
  )
  return gzipSync(`${[...lines, ...(spec.brokenLines ?? [])].join('\n')}\n`)
}

/** Puts a raw segment where the collector's uploader would; returns its key. */
export async function putRawSegment(store: ObjectStore, spec: RawSegmentSpec): Promise<string> {
  const key = rawSegmentKey('raw', spec.source, spec.date, spec.collector ?? 'c1', spec.segment)
  await store.put(key, rawSegmentBytes(spec))
  return key
}
