import { unlink, writeFile } from 'node:fs/promises'
import type { Server } from 'node:http'
import { join } from 'node:path'
import {
  SourceDedup,
  Ingestor,
  LogHandoff,
  RawLog,
  RollingErrorRate,
  SegmentUploader,
  collectorHealth,
  createIngestServer,
  type FsyncPolicy,
  type IngestLimits,
} from '../../collectors/index.js'
import type { Registry } from 'prom-client'
import { HANDOFF_QUEUE, type HandoffJob, type HealthReport } from '../../schemas/index.js'
import type { JobQueue } from '../../schemas/ports/index.js'
import { openJobQueue } from '../adapters/open-job-queue.js'
import { openObjectStore } from '../adapters/open-object-store.js'
import type { QueueConfig, StoreConfig } from '../config/adapter-urls.js'
import { collectorMetrics } from './collector-metrics.js'

export interface CollectorConfig {
  readonly collector: string
  readonly logDir: string
  readonly store: StoreConfig
  readonly queue?: QueueConfig | undefined
  /**
   * A hand-off queue already open in this process (the one-command stack's in-process queue,
   * which its speed worker consumes); used instead of `queue`, and left open on stop.
   */
  readonly handoffQueue?: JobQueue<HandoffJob> | undefined
  readonly http?: { readonly host: string; readonly port: number } | undefined
  readonly token?: string | undefined
  readonly fsync?: FsyncPolicy
  readonly maxSegmentBytes?: number
  readonly maxSegmentAgeMs?: number
  readonly gzipLevel?: number
  readonly dedupWindowMs?: number
  readonly dedupCapacity?: number
  readonly maxBacklogBytes?: number
  /** Limits of the HTTP endpoint (body size and timeouts, slots, memory held). */
  readonly ingestLimits?: Partial<IngestLimits>
  readonly maxPendingBytes?: number
  /** Longest wait between upload retries while the store is down. */
  readonly uploadRetryMaxMs?: number
  /** Longest wait between hand-off retries while the queue is down. */
  readonly handoffRetryMaxMs?: number
  /** Add the process metrics to its registry (default; a stack's API has them already). */
  readonly processMetrics?: boolean
}

export interface RunningCollector {
  readonly ingestor: Ingestor
  readonly log: RawLog
  readonly uploader: SegmentUploader
  readonly handoff: LogHandoff | undefined
  /** Its Prometheus metrics (also served at `/metrics` with --http). */
  readonly metrics: Registry
  /** `http://host:port` when serving HTTP. */
  readonly url: string | undefined
  health(): Promise<HealthReport>
  /** Stops taking records, seals the log, tries once more to upload and hand off, and stops. */
  stop(): Promise<void>
}

type Log = (event: string, fields?: Readonly<Record<string, unknown>>) => void

/** One JSON line per event on stderr: what operators grep and ship. */
export const stderrLog: Log = (event, fields = {}) => {
  process.stderr.write(`${JSON.stringify({ at: new Date().toISOString(), event, ...fields })}\n`)
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/**
 * Starts a collector: the raw log (recovering a crash first), the uploader, the hand-off to
 * the queue when one is configured, and the HTTP endpoint when asked for. Sources other than
 * HTTP call `ingestor.ingest` directly.
 */
export async function startCollector(
  config: CollectorConfig,
  log: Log = stderrLog,
): Promise<RunningCollector> {
  const store = openObjectStore(config.store)
  // The hand-off is built before the log it tails; it reads the log's counts through this.
  const logRef: { log?: RawLog } = {}
  const owned: JobQueue<HandoffJob> | undefined =
    config.handoffQueue !== undefined || config.queue === undefined
      ? undefined
      : openJobQueue<HandoffJob>(config.queue, HANDOFF_QUEUE)
  const queue = config.handoffQueue ?? owned
  const handoff =
    queue === undefined
      ? undefined
      : new LogHandoff({
          logDir: config.logDir,
          collector: config.collector,
          queue,
          writtenBytes: (key: string) => logRef.log?.writtenBytes(key),
          ...(config.handoffRetryMaxMs === undefined
            ? {}
            : { retryMaxMs: config.handoffRetryMaxMs }),
          onError: (e) => log('handoff_failed', { error: errorText(e) }),
        })
  const h = handoff
  const up = new SegmentUploader({
    logDir: config.logDir,
    store,
    ...(h === undefined ? {} : { handedOff: (n: number) => h.isHandedOff(n) }),
    ...(config.uploadRetryMaxMs === undefined ? {} : { retryMaxMs: config.uploadRetryMaxMs }),
    onError: (e) => log('upload_failed', { error: errorText(e) }),
    progress: {
      collector: config.collector,
      // The log is opened right after; until then nothing of this run was received.
      unsealedSince: () => logRef.log?.unsealedSince() ?? Infinity,
    },
  })
  const rawLog = await RawLog.open({
    dir: config.logDir,
    collector: config.collector,
    ...(config.fsync === undefined ? {} : { fsync: config.fsync }),
    ...(config.maxSegmentBytes === undefined ? {} : { maxSegmentBytes: config.maxSegmentBytes }),
    ...(config.maxSegmentAgeMs === undefined ? {} : { maxSegmentAgeMs: config.maxSegmentAgeMs }),
    ...(config.gzipLevel === undefined ? {} : { gzipLevel: config.gzipLevel }),
    ...(config.maxPendingBytes === undefined ? {} : { maxPendingBytes: config.maxPendingBytes }),
    onSealed: (key) => {
      up.poke()
      h?.poke()
      log('segment_sealed', { key })
    },
    onError: (e) => log('seal_failed', { error: errorText(e) }),
  })
  logRef.log = rawLog
  const recovered = rawLog.getStats()
  if (recovered.recoveredSegments > 0)
    log('log_recovered', {
      segments: recovered.recoveredSegments,
      torn_bytes_cut: recovered.tornBytesCut,
    })

  const ingestor = new Ingestor({
    log: rawLog,
    dedup: new SourceDedup(config.dedupWindowMs ?? 10 * 60_000, config.dedupCapacity ?? 1_000_000),
    backlogBytes: () => up.getStats().waitingBytes,
    maxBacklogBytes: config.maxBacklogBytes ?? 8 * 1024 ** 3,
  })
  up.start()
  handoff?.start()

  const errors = new RollingErrorRate()
  const probe = join(config.logDir, '.health-probe')
  const health = (): Promise<HealthReport> =>
    collectorHealth({
      log: () => rawLog.getStats(),
      uploader: () => up.getStats(),
      handoff: h === undefined ? undefined : () => h.getStats(),
      errors,
      logWritable: () =>
        writeFile(probe, 'ok').then(
          () => unlink(probe).then(() => true),
          () => false,
        ),
    })
  const registry = collectorMetrics({
    ingest: () => ingestor.getStats(),
    log: () => rawLog.getStats(),
    uploader: () => up.getStats(),
    handoff: h === undefined ? undefined : () => h.getStats(),
    ...(config.processMetrics === false ? { defaultMetrics: false } : {}),
  })

  let server: Server | undefined
  let url: string | undefined
  if (config.http !== undefined) {
    const s = createIngestServer({
      ingestor,
      errors,
      health,
      metrics: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
      token: config.token,
      onError: (e) =>
        log('request_failed', {
          error: errorText(e),
          stack: e instanceof Error ? e.stack : undefined,
        }),
      ...(config.ingestLimits === undefined ? {} : { limits: config.ingestLimits }),
    })
    const { host, port } = config.http
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject)
      s.listen(port, host, () => resolve())
    })
    const address = s.address()
    const actual = typeof address === 'object' && address !== null ? address.port : port
    url = `http://${host.includes(':') ? `[${host}]` : host}:${actual}`
    server = s
    log('collector_listening', { url, collector: config.collector, store: store.location })
  }

  return {
    ingestor,
    log: rawLog,
    uploader: up,
    handoff: h,
    metrics: registry,
    url,
    health,
    stop: async () => {
      if (server !== undefined) {
        const s = server
        const closed = new Promise<void>((resolve) => s.close(() => resolve()))
        s.closeIdleConnections()
        await closed
      }
      await rawLog.close()
      await up.stop()
      await handoff?.stop()
      await handoff
        ?.drain()
        .catch((e: unknown) => log('handoff_incomplete', { error: errorText(e) }))
      await up.drain().catch((e: unknown) => log('upload_incomplete', { error: errorText(e) }))
      await owned?.close()
    },
  }
}
