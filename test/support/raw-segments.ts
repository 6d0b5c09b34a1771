import { gzipSync } from 'node:zlib'
import {
  envelopePrefix,
  isFormatChoice,
  normalizeLine,
  rawSegmentKey,
} from '../../schemas/index.js'
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
  /** One receipt time for every line (ISO-8601); by default each record's, see `receiptOf`. */
  readonly receivedAt?: string
  /** Lines written as they are, without an envelope (a damaged log). */
  readonly brokenLines?: readonly string[]
}

/**
 * When a live collector would have received `record`: a second after the latest `created_at`
 * of what it normalizes to (a Reddit thread's last comment, a v2 page's newest tweet), so no
 * record looks created after its receipt; noon of the segment's day when it does not normalize.
 */
function receiptOf(record: string, source: string, date: string): string {
  const outcome = normalizeLine(record, isFormatChoice(source) ? source : 'auto')
  let created = -Infinity
  if (outcome.kind === 'interactions')
    for (const i of outcome.interactions)
      created = Math.max(created, i.interaction?.created_at ?? -Infinity)
  return Number.isFinite(created) && Math.abs(created) < 8.64e15
    ? new Date(created + 1000).toISOString()
    : `${date}T12:00:00.000Z`
}

/** The gzip bytes of a raw-log segment in the collector's envelope format. */
export function rawSegmentBytes(spec: RawSegmentSpec): Uint8Array {
  const collector = spec.collector ?? 'c1'
  const lines = spec.records.map(
    (record, seq) =>
      `${envelopePrefix(spec.source, spec.receivedAt ?? receiptOf(record, spec.source, spec.date), collector, spec.segment, seq, undefined)}${record}}`,
  )
  return gzipSync(`${[...lines, ...(spec.brokenLines ?? [])].join('\n')}\n`)
}

/** Puts a raw segment where the collector's uploader would; returns its key. */
export async function putRawSegment(store: ObjectStore, spec: RawSegmentSpec): Promise<string> {
  const key = rawSegmentKey('raw', spec.source, spec.date, spec.collector ?? 'c1', spec.segment)
  await store.put(key, rawSegmentBytes(spec))
  return key
}
