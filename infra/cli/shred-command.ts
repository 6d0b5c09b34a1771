import { join } from 'node:path'
import type { Writable } from 'node:stream'
import { SingleBar } from 'cli-progress'
import { partsFor, readMasterSnapshot } from '../../schemas/index.js'
import { shred, type ShredProgress, type ShredReport } from '../../shredder/index.js'
import { openObjectStore } from '../adapters/open-object-store.js'
import type { StoreConfig } from '../config/adapter-urls.js'

export interface ShredCommandOptions {
  readonly store: StoreConfig
  readonly from?: string
  readonly to?: string
  readonly chunkMb?: number
  readonly rowGroupRows?: number
  readonly partRows?: number
  readonly compact: boolean
  readonly retainMinutes?: number
  readonly futureToleranceMs?: number
  readonly collectorTimeoutMs?: number
  /** Show a progress bar (on a terminal). */
  readonly progress: boolean
  readonly stdout: Writable
  readonly stderr: Writable
}

const MB = 1024 * 1024

function progressBar(stderr: Writable): {
  update: (p: ShredProgress) => void
  stop: () => void
} {
  const bar = new SingleBar({
    stream: stderr,
    format:
      '{phase} [{bar}] {percentage}% | {segments} segments | {mb} MB | {interactions} interactions | ETA {eta_formatted}',
    hideCursor: true,
    clearOnComplete: false,
  })
  let started = false
  return {
    update: (p) => {
      const payload = {
        phase: p.phase.padEnd(7),
        segments: `${p.segmentsDone}/${p.segmentsTotal}`,
        mb: `${(p.bytesDone / MB).toFixed(1)}/${(p.bytesTotal / MB).toFixed(1)}`,
        interactions: p.interactions.toLocaleString('en-US'),
      }
      // Bytes, not MB, so the bar reaches 100% exactly when the last segment is done.
      const total = Math.max(1, p.bytesTotal)
      const value = p.bytesDone
      if (!started) {
        bar.start(total, value, payload)
        started = true
      } else {
        bar.setTotal(total)
        bar.update(value, payload)
      }
    },
    stop: () => {
      if (started) bar.stop()
    },
  }
}

/** The run's summary, one fact per line. */
export function shredSummary(r: ShredReport, seconds: number): string {
  const rate = Math.round(r.interactions / Math.max(seconds, 1e-9))
  return [
    `segments:      ${r.segmentsShredded} shredded, ${r.segmentsAlreadyShredded} already shredded (${r.segmentsFound} found)`,
    `lines:         ${r.lines} (${r.notices} stream notices)`,
    `interactions:  ${r.interactions} new, ${r.duplicates} duplicates dropped`,
    `rejected:      ${r.rejected}${r.rejected > 0 ? ` (set aside under master/_rejects/; ${r.futures} future_timestamp)` : ''}`,
    `published:     ${r.partsWritten} parts, ${r.rowsWritten} rows, ${r.partitions.size} partitions`,
    `compacted:     ${r.partsCompacted} small parts into ${r.compactedPartsWritten}`,
    `vacuumed:      ${r.partsVacuumed} files`,
    `master version: ${r.version}`,
    `received through: ${r.receivedThrough === undefined ? 'unknown' : new Date(r.receivedThrough).toISOString()}`,
    `elapsed:       ${seconds.toFixed(2)} s (${rate} interactions/s)`,
    '',
  ].join('\n')
}

/** `sluice shred`: raw segments into the master dataset; returns the report. */
export async function runShred(options: ShredCommandOptions): Promise<ShredReport> {
  const store = openObjectStore(options.store)
  const bar = options.progress ? progressBar(options.stderr) : undefined
  const started = performance.now()
  try {
    const report = await shred({
      store,
      ...(options.from === undefined ? {} : { from: options.from }),
      ...(options.to === undefined ? {} : { to: options.to }),
      ...(options.chunkMb === undefined ? {} : { chunkBytes: Math.round(options.chunkMb * MB) }),
      ...(options.rowGroupRows === undefined ? {} : { rowGroupRows: options.rowGroupRows }),
      ...(options.partRows === undefined ? {} : { partRows: options.partRows }),
      ...(options.retainMinutes === undefined ? {} : { retainMs: options.retainMinutes * 60_000 }),
      compact: options.compact,
      ...(options.futureToleranceMs === undefined
        ? {}
        : { futureToleranceMs: options.futureToleranceMs }),
      ...(options.collectorTimeoutMs === undefined
        ? {}
        : { collectorTimeoutMs: options.collectorTimeoutMs }),
      ...(bar === undefined ? {} : { onProgress: bar.update }),
    })
    bar?.stop()
    options.stdout.write(shredSummary(report, (performance.now() - started) / 1000))
    return report
  } finally {
    bar?.stop()
  }
}

export interface MasterFilesOptions {
  readonly store: StoreConfig
  readonly types?: readonly string[]
  readonly from?: number
  readonly to?: number
  readonly stdout: Writable
}

/**
 * `sluice master files`: the published parts, one per line, as paths other tools open (local
 * paths for a directory store, s3:// URLs for S3) — the exact file list for DuckDB or Spark
 * while a compaction's retired parts still sit beside the published ones.
 */
export async function runMasterFiles(options: MasterFilesOptions): Promise<number> {
  const store = openObjectStore(options.store)
  const snapshot = await readMasterSnapshot(store)
  const parts = partsFor(snapshot, {
    columns: [],
    ...(options.types === undefined ? {} : { types: options.types }),
    ...(options.from === undefined ? {} : { from: options.from }),
    ...(options.to === undefined ? {} : { to: options.to }),
  })
  const where = (key: string): string =>
    options.store.kind === 'file'
      ? join(options.store.path, key)
      : `s3://${options.store.bucket}/${options.store.prefix}${key}`
  for (const part of parts.sort((a, b) => (a.key < b.key ? -1 : 1)))
    options.stdout.write(`${where(part.key)}\n`)
  return parts.length
}
