import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import {
  commitMaster,
  dayOf,
  encodeInteraction,
  isJsonObject,
  isPartitionType,
  MASTER_REJECTS_PREFIX,
  parseRawSegmentKey,
  partKey,
  readCollectorProgress,
  readMasterSnapshot,
  type CollectorProgress,
  shreddedLedgerKey,
  type Interaction,
  type MasterSnapshot,
  type PartEntry,
} from '../schemas/index.js'
import { listAll, type ObjectInfo, type ObjectStore } from '../schemas/ports/index.js'
import { compactMaster } from './compaction.js'
import { writeParquetPart } from './parquet-part-writer.js'
import { partId } from './part-id.js'
import { PartitionIds, partitionOf } from './partition-ids.js'
import { inflateSegment, parseSegment, type RejectedLine } from './raw-segment-reader.js'
import { ShredLock } from './shred-lock.js'
import { vacuumMaster } from './vacuum.js'

const gzipAsync = promisify(gzip)

export interface ShredOptions {
  readonly store: ObjectStore
  /** First and last raw day (`YYYY-MM-DD`, receipt day of the segments) to shred; all when absent. */
  readonly from?: string
  readonly to?: string
  /** Gzip bytes of raw segments shredded and published per commit. */
  readonly chunkBytes?: number
  readonly rowGroupRows?: number
  /** Merge small parts after shredding. */
  readonly compact?: boolean
  /** Rows a compacted part aims at. */
  readonly partRows?: number
  /** How long retired and unpublished part files are kept before a vacuum deletes them. */
  readonly retainMs?: number
  readonly onProgress?: (progress: ShredProgress) => void
  readonly now?: () => Date
  /** See `DEFAULT_FUTURE_TOLERANCE_MS`; the speed layer's setting must be the same. */
  readonly futureToleranceMs?: number
  /**
   * A collector whose progress marker is older than this is taken for dead: it no longer holds
   * the receipt boundary back (what it uploads later is late, counted by the next batch run).
   */
  readonly collectorTimeoutMs?: number
}

export const SHRED_DEFAULTS = {
  chunkBytes: 16 * 1024 * 1024,
  partRows: 250_000,
  retainMs: 60 * 60_000,
  collectorTimeoutMs: 15 * 60_000,
} as const

/** Where a run is, for a progress bar. */
export interface ShredProgress {
  readonly phase: 'shred' | 'compact' | 'vacuum'
  readonly segmentsDone: number
  readonly segmentsTotal: number
  readonly bytesDone: number
  readonly bytesTotal: number
  readonly interactions: number
}

/** What a run did. Timings split the work the benchmark reports. */
export interface ShredReport {
  segmentsFound: number
  segmentsAlreadyShredded: number
  segmentsShredded: number
  lines: number
  interactions: number
  duplicates: number
  rejected: number
  /** Interactions set aside as `future_timestamp` (also among `rejected`). */
  futures: number
  notices: number
  partsWritten: number
  rowsWritten: number
  partitions: Set<string>
  partsCompacted: number
  compactedPartsWritten: number
  partsVacuumed: number
  version: number
  /** The master dataset's receipt boundary after the run (epoch ms; undefined: none yet). */
  receivedThrough: number | undefined
  /** The latest receipt time among the lines this run read. */
  receivedMax: number
  readMs: number
  normalizeMs: number
  writeMs: number
  publishMs: number
}

function emptyReport(): ShredReport {
  return {
    segmentsFound: 0,
    segmentsAlreadyShredded: 0,
    segmentsShredded: 0,
    lines: 0,
    interactions: 0,
    duplicates: 0,
    rejected: 0,
    futures: 0,
    notices: 0,
    partsWritten: 0,
    rowsWritten: 0,
    partitions: new Set(),
    partsCompacted: 0,
    compactedPartsWritten: 0,
    partsVacuumed: 0,
    version: 0,
    receivedThrough: undefined,
    receivedMax: -Infinity,
    readMs: 0,
    normalizeMs: 0,
    writeMs: 0,
    publishMs: 0,
  }
}

interface RawSegment {
  readonly object: ObjectInfo
  readonly source: string
  readonly date: string
  /** The file name within its (source, date) folder, as the ledger records it. */
  readonly name: string
}

/** The shredded-segment ledger of one raw (source, day). */
async function readLedger(store: ObjectStore, source: string, date: string): Promise<Set<string>> {
  const bytes = await store.get(shreddedLedgerKey(source, date))
  if (bytes === undefined) return new Set()
  const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes))
  const list = isJsonObject(parsed) ? parsed['segments'] : undefined
  return new Set(Array.isArray(list) ? list.filter((s): s is string => typeof s === 'string') : [])
}

async function writeLedger(
  store: ObjectStore,
  source: string,
  date: string,
  segments: ReadonlySet<string>,
): Promise<void> {
  const body = JSON.stringify({ source, date, segments: [...segments].sort() })
  await store.put(shreddedLedgerKey(source, date), new TextEncoder().encode(body))
}

/** Raw segments in the day range, each with its (source, day) ledger. */
async function findSegments(
  options: ShredOptions,
): Promise<{ todo: RawSegment[]; ledgers: Map<string, Set<string>>; found: number }> {
  const all: RawSegment[] = []
  for await (const object of listAll(options.store, 'raw/')) {
    const key = parseRawSegmentKey(object.key)
    if (key === undefined || key.area !== 'raw') continue
    if (options.from !== undefined && key.date < options.from) continue
    if (options.to !== undefined && key.date > options.to) continue
    all.push({
      object,
      source: key.source,
      date: key.date,
      name: object.key.slice(object.key.lastIndexOf('/') + 1),
    })
  }
  const ledgers = new Map<string, Set<string>>()
  for (const segment of all) {
    const folder = `${segment.source}/${segment.date}`
    if (!ledgers.has(folder))
      ledgers.set(folder, await readLedger(options.store, segment.source, segment.date))
  }
  const todo = all
    .filter((s) => !(ledgers.get(`${s.source}/${s.date}`)?.has(s.name) ?? false))
    .sort((a, b) => (a.object.key < b.object.key ? -1 : 1))
  return { todo, ledgers, found: all.length }
}

/** Consecutive segments of about `chunkBytes` (at least one each): one commit per chunk. */
function chunksOf(segments: readonly RawSegment[], chunkBytes: number): RawSegment[][] {
  const chunks: RawSegment[][] = []
  let chunk: RawSegment[] = []
  let bytes = 0
  for (const segment of segments) {
    if (chunk.length > 0 && bytes + segment.object.size > chunkBytes) {
      chunks.push(chunk)
      chunk = []
      bytes = 0
    }
    chunk.push(segment)
    bytes += segment.object.size
  }
  if (chunk.length > 0) chunks.push(chunk)
  return chunks
}

async function setAside(
  store: ObjectStore,
  segment: RawSegment,
  rejects: readonly RejectedLine[],
): Promise<void> {
  const lines = rejects.map((r) =>
    JSON.stringify({ line: r.line, code: r.code, reason: r.reason, record: r.text }),
  )
  const key = `${MASTER_REJECTS_PREFIX}${segment.object.key.slice('raw/'.length)}`
  await store.put(key, await gzipAsync(`${lines.join('\n')}\n`))
}

/**
 * Starts fetching and inflating every segment of a chunk, on the thread pool; the caller does
 * this for the next chunk while the main thread normalizes the current one.
 */
function inflateChunk(store: ObjectStore, chunk: readonly RawSegment[]): Promise<string>[] {
  const texts = chunk.map(async (s) => {
    const bytes = await store.get(s.object.key)
    if (bytes === undefined) throw new Error(`raw segment ${s.object.key} vanished`)
    return inflateSegment(bytes)
  })
  // Awaited in order later; a failure must not surface as an unhandled rejection before that.
  for (const t of texts) t.catch(() => undefined)
  return texts
}

/**
 * Shreds one chunk of raw segments: reads and normalizes them, drops every interaction whose
 * id its (type, day) partition already holds, writes one part per partition and publishes
 * them in one commit. Returns the new snapshot.
 */
async function shredChunk(
  options: ShredOptions,
  snapshot: MasterSnapshot,
  ids: PartitionIds,
  chunk: readonly RawSegment[],
  texts: readonly Promise<string>[],
  report: ShredReport,
  receipt: ((report: ShredReport) => number | undefined) | undefined,
): Promise<MasterSnapshot> {
  const { store } = options
  const partitions = new Map<string, { type: string; date: string; rows: Interaction[] }>()
  let readStarted = performance.now()
  for (const [index, segment] of chunk.entries()) {
    const records = parseSegment(
      await (texts[index] as Promise<string>),
      options.futureToleranceMs === undefined
        ? {}
        : { futureToleranceMs: options.futureToleranceMs },
    )
    report.futures += records.futures
    if (records.receivedMax > report.receivedMax) report.receivedMax = records.receivedMax
    report.readMs += performance.now() - readStarted - records.normalizeMs
    report.normalizeMs += records.normalizeMs
    report.lines += records.lines
    report.notices += records.notices
    const rejects = [...records.rejects]
    for (const interaction of records.interactions) {
      const type = interaction.interaction?.type
      const createdAt = interaction.interaction?.created_at
      const id = interaction.interaction?.id
      if (
        type === undefined ||
        createdAt === undefined ||
        !Number.isFinite(createdAt) ||
        Math.abs(createdAt) > 8.64e15 ||
        id === undefined ||
        !isPartitionType(type)
      ) {
        rejects.push({
          line: 0,
          code: 'invalid_field',
          reason: 'normalized interaction lacks a usable type, created_at or id',
          text: encodeInteraction(interaction),
        })
        continue
      }
      const date = dayOf(createdAt)
      const seen = ids.loaded(type, date) ?? (await ids.of(type, date))
      if (seen.has(id)) {
        report.duplicates++
        continue
      }
      seen.add(id)
      const name = partitionOf(type, date)
      let partition = partitions.get(name)
      if (partition === undefined) {
        partition = { type, date, rows: [] }
        partitions.set(name, partition)
      }
      partition.rows.push(interaction)
      report.interactions++
    }
    if (rejects.length > 0) {
      report.rejected += rejects.length
      await setAside(store, segment, rejects)
    }
    readStarted = performance.now()
  }
  const inputs = chunk.map((s) => s.object.key)
  const add: PartEntry[] = []
  for (const [name, partition] of [...partitions].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const started = performance.now()
    const bytes = writeParquetPart(partition.rows, {
      ...(options.rowGroupRows === undefined ? {} : { rowGroupRows: options.rowGroupRows }),
      metadata: { 'sluice.operation': 'shred', 'sluice.inputs': inputs.join('\n') },
    })
    report.writeMs += performance.now() - started
    const published = performance.now()
    const key = partKey(partition.type, partition.date, partId('shred', name, inputs))
    await store.put(key, bytes)
    report.publishMs += performance.now() - published
    let min = Infinity
    let max = -Infinity
    for (const row of partition.rows) {
      const t = row.interaction?.created_at ?? 0
      if (t < min) min = t
      if (t > max) max = t
    }
    add.push({
      key,
      type: partition.type,
      date: partition.date,
      rows: partition.rows.length,
      bytes: bytes.byteLength,
      createdAtMin: min,
      createdAtMax: max,
    })
    report.partsWritten++
    report.rowsWritten += partition.rows.length
    report.partitions.add(name)
  }
  const published = performance.now()
  const receivedThrough = receipt?.(report)
  const next =
    add.length === 0
      ? snapshot
      : await commitMaster(
          store,
          snapshot,
          {
            operation: 'shred',
            add,
            inputs,
            ...(receivedThrough === undefined ? {} : { receivedThrough }),
          },
          options.now?.(),
        )
  report.publishMs += performance.now() - published
  return next
}

/**
 * The receipt boundary after a run: every record received before it is in the master dataset.
 * Collectors that report (`CollectorProgress`, live within the timeout) vouch for their uploads:
 * the boundary is the least of their marks. With none reporting (raw logs written by hand, or
 * by collectors of an older version), the raw log as stored is taken as complete: the latest
 * receipt read. Never past the shredder's clock, never backwards.
 */
export function receivedThroughOf(
  previous: number | undefined,
  markers: readonly CollectorProgress[],
  receivedMax: number,
  now: number,
  options: { readonly collectorTimeoutMs?: number } = {},
): number | undefined {
  const timeout = options.collectorTimeoutMs ?? SHRED_DEFAULTS.collectorTimeoutMs
  const live = markers.filter((m) => now - m.writtenAt <= timeout)
  let through = live.length > 0 ? Math.min(...live.map((m) => m.sealedThrough)) : receivedMax
  through = Math.min(through, now)
  if (previous !== undefined && !(through > previous)) return previous
  return Number.isFinite(through) ? through : previous
}

/**
 * `sluice shred`: raw segments not yet shredded become published, deduplicated Parquet parts
 * of the master dataset, a chunk at a time. Each chunk's parts are published by one commit and
 * only then are its segments entered in the ledger, so a run killed anywhere leaves nothing
 * half-visible and the next run redoes the unfinished chunk: its parts get the same keys, and
 * records a published part already holds are dropped as duplicates. Then small parts are
 * compacted and old files vacuumed.
 */
export async function shred(options: ShredOptions): Promise<ShredReport> {
  const report = emptyReport()
  const lock = new ShredLock(options.store)
  await lock.acquire()
  try {
    let snapshot = await readMasterSnapshot(options.store)
    // Read before listing segments: every segment a marker vouches for is then in the list.
    const markers = await readCollectorProgress(options.store)
    const startedAt = (options.now?.() ?? new Date()).getTime()
    const { todo, ledgers, found } = await findSegments(options)
    // A run over some days only cannot vouch for the rest.
    const receipt =
      options.from === undefined && options.to === undefined
        ? (r: ShredReport): number | undefined =>
            receivedThroughOf(snapshot.receivedThrough, markers, r.receivedMax, startedAt, options)
        : undefined
    report.segmentsFound = found
    report.segmentsAlreadyShredded = found - todo.length
    const bytesTotal = todo.reduce((n, s) => n + s.object.size, 0)
    let bytesDone = 0
    const progress = (phase: ShredProgress['phase']): void =>
      options.onProgress?.({
        phase,
        segmentsDone: report.segmentsShredded,
        segmentsTotal: todo.length,
        bytesDone,
        bytesTotal,
        interactions: report.interactions,
      })
    progress('shred')
    const ids = new PartitionIds(options.store, snapshot)
    const chunks = chunksOf(todo, options.chunkBytes ?? SHRED_DEFAULTS.chunkBytes)
    let next = chunks[0] === undefined ? [] : inflateChunk(options.store, chunks[0])
    for (const [index, chunk] of chunks.entries()) {
      const texts = next
      const following = chunks[index + 1]
      next = following === undefined ? [] : inflateChunk(options.store, following)
      const last = index === chunks.length - 1
      snapshot = await shredChunk(
        options,
        snapshot,
        ids,
        chunk,
        texts,
        report,
        last ? receipt : undefined,
      )
      const touched = new Set<string>()
      for (const segment of chunk) {
        const folder = `${segment.source}/${segment.date}`
        ledgers.get(folder)?.add(segment.name)
        touched.add(folder)
      }
      for (const folder of touched) {
        const segment = chunk.find((s) => `${s.source}/${s.date}` === folder) as RawSegment
        await writeLedger(
          options.store,
          segment.source,
          segment.date,
          ledgers.get(folder) ?? new Set(),
        )
      }
      report.segmentsShredded += chunk.length
      bytesDone += chunk.reduce((n, s) => n + s.object.size, 0)
      await lock.refresh()
      progress('shred')
    }
    const through = receipt?.(report)
    if (through !== undefined && through !== snapshot.receivedThrough) {
      const previous = snapshot.receivedThrough
      // An idle run moves the boundary only when that moves the batch watermark (an hour),
      // so a quiet stack does not write a commit a minute.
      if (
        report.segmentsShredded > 0 ||
        previous === undefined ||
        Math.floor(through / 3_600_000) !== Math.floor(previous / 3_600_000)
      )
        snapshot = await commitMaster(
          options.store,
          snapshot,
          { operation: 'shred', receivedThrough: through },
          options.now?.(),
        )
    }
    if (options.compact ?? true) {
      progress('compact')
      const compacted = await compactMaster(options.store, snapshot, {
        partRows: options.partRows ?? SHRED_DEFAULTS.partRows,
        ...(options.rowGroupRows === undefined ? {} : { rowGroupRows: options.rowGroupRows }),
        ...(options.now === undefined ? {} : { now: options.now }),
      })
      snapshot = compacted.snapshot
      report.partsCompacted = compacted.partsMerged
      report.compactedPartsWritten = compacted.partsWritten
    }
    progress('vacuum')
    const vacuumed = await vacuumMaster(
      options.store,
      snapshot,
      options.retainMs ?? SHRED_DEFAULTS.retainMs,
      options.now?.() ?? new Date(),
    )
    snapshot = vacuumed.snapshot
    report.partsVacuumed = vacuumed.retiredDeleted + vacuumed.orphansDeleted
    report.version = snapshot.version
    report.receivedThrough = snapshot.receivedThrough
    return report
  } finally {
    await lock.release()
  }
}
