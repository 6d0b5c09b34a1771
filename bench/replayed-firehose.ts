/*
 * The real Twitter v1.1 sample replayed as a firehose for the benchmarks: each record keeps its
 * text and entities but gets a fresh tweet id and a creation time in arrival order over a
 * window (the sample itself spans 13 years, which would put a handful of tweets in each of a
 * thousand day partitions), written as gzip raw-log segments like the collectors'.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { envelopePrefix, rawSegmentKey } from '../schemas/index.js'
import type { ObjectStore } from '../schemas/ports/index.js'
import { retimedTweet } from '../collectors/index.js'

export interface ReplayOptions {
  readonly dataDir: string
  readonly records: number
  /** Creation times spread evenly over `[start, start + windowMs)` in arrival order. */
  readonly start: number
  readonly windowMs: number
  /** Distinguishes the ids of separate replays of the same sample. */
  readonly firstCopy?: number
  readonly segmentRecords?: number
  /** Receipt day and collector of the segments. */
  readonly date?: string
  readonly collector?: string
}

const samples = new Map<string, string[]>()

/** The sample's lines, read once per process: a benchmark must not time reading them. */
function sampleLines(dataDir: string): string[] {
  let lines = samples.get(dataDir)
  if (lines === undefined) {
    lines = gunzipSync(readFileSync(join(dataDir, 'twitter-v1-sample.jsonl.gz')))
      .toString('utf8')
      .split('\n')
      .filter((l) => l !== '')
    samples.set(dataDir, lines)
  }
  return lines
}

/** The replay's records (tweets as received, without envelopes), in arrival order. */
export function* replayedRecords(
  options: Omit<ReplayOptions, 'segmentRecords' | 'date' | 'collector'>,
): Generator<string> {
  for (const r of timedRecords(options)) yield r.line
}

/** How long after its creation a replayed record is received. */
export const REPLAY_RECEIPT_DELAY_MS = 1000

/** The replay's records with their creation times (receipt follows by the delay above). */
export function* timedRecords(
  options: Omit<ReplayOptions, 'segmentRecords' | 'date' | 'collector'>,
): Generator<{ readonly time: number; readonly line: string }> {
  const lines = sampleLines(options.dataDir)
  for (let n = 0; n < options.records; n++) {
    const time = options.start + Math.floor((n * options.windowMs) / options.records)
    const copy = (options.firstCopy ?? 0) + Math.floor(n / lines.length)
    yield { time, line: retimedTweet(lines[n % lines.length] as string, time, copy) }
  }
}

/** A replayed record's raw-log line: received the delay after its creation. */
export function replayedEnvelope(
  record: { readonly time: number; readonly line: string },
  collector: string,
  segment: number,
  seq: number,
): string {
  const receivedAt = new Date(record.time + REPLAY_RECEIPT_DELAY_MS).toISOString()
  return `${envelopePrefix('twitter-v1', receivedAt, collector, segment, seq, undefined)}${record.line}}`
}

/** Writes the replay as raw segments; returns raw and gzip bytes. */
export async function writeReplayedSegments(
  store: ObjectStore,
  options: ReplayOptions,
): Promise<{ bytes: number; raw: number }> {
  const records = timedRecords(options)
  const per = options.segmentRecords ?? 20_000
  const date = options.date ?? '2026-11-22'
  const collector = options.collector ?? 'bench'
  let bytes = 0
  let raw = 0
  for (let start = 0, segment = 0; start < options.records; start += per, segment++) {
    const out: string[] = []
    for (let n = start; n < Math.min(options.records, start + per); n++) {
      const record = records.next().value as { time: number; line: string }
      out.push(replayedEnvelope(record, collector, segment, n - start))
    }
    const text = `${out.join('\n')}\n`
    raw += Buffer.byteLength(text)
    const gz = gzipSync(text, { level: 3 })
    bytes += gz.byteLength
    await store.put(rawSegmentKey('raw', 'twitter-v1', date, collector, segment), gz)
  }
  return { bytes, raw }
}
