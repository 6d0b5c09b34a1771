import { hostname } from 'node:os'
import {
  SyntheticFirehose,
  withSourceFormat,
  sendPaced,
  type FsyncPolicy,
  type Spike,
  type SyntheticLine,
  type SyntheticSource,
} from '../../collectors/index.js'
import { isCollectorId } from '../../schemas/index.js'
import type { QueueConfig, StoreConfig } from '../config/adapter-urls.js'
import { ConfigError } from '../config/config-error.js'
import { startCollector, stderrLog } from '../collect/collector-service.js'
import { readLines } from '../io/line-source.js'

export interface CollectOptions extends GeneratorSettings {
  readonly http?: { host: string; port: number } | undefined
  readonly replay?: string | undefined
  readonly source?: string | undefined
  readonly generate: boolean
  readonly store: StoreConfig
  readonly logDir: string
  readonly queue?: QueueConfig | undefined
  readonly collector?: string | undefined
  readonly token?: string | undefined
  readonly fsync: FsyncPolicy
  readonly segmentBytes?: number | undefined
  readonly segmentAgeS?: number | undefined
  readonly gzipLevel?: number | undefined
  /** Seconds a request body may take in all, and between two of its chunks. */
  readonly bodyTimeoutS?: number | undefined
  readonly bodyIdleS?: number | undefined
}

/** The default collector id: this host's name with the characters keys cannot hold replaced. */
export function defaultCollectorId(): string {
  return `c_${hostname().replace(/[^A-Za-z0-9_.]/g, '_')}`.slice(0, 64)
}

function* syntheticLines(firehose: SyntheticFirehose): Generator<SyntheticLine> {
  for (;;) yield firehose.next()
}

/**
 * `sluice collect`: runs a collector. With --http it serves until SIGINT/SIGTERM; with
 * --replay or --generate (and no --http) it plays the source through the collector, seals
 * the log, waits for the upload and exits.
 */
export async function runCollect(options: CollectOptions): Promise<void> {
  const collector = options.collector ?? defaultCollectorId()
  if (!isCollectorId(collector))
    throw new ConfigError('--collector', collector, 'use 1-64 of A-Z a-z 0-9 _ .')
  if (options.http === undefined && options.replay === undefined && !options.generate)
    throw new ConfigError('sources', '', 'give at least one of --http, --replay FILE, --generate')
  const running = await startCollector({
    collector,
    logDir: options.logDir,
    store: options.store,
    queue: options.queue,
    http: options.http,
    token: options.token,
    fsync: options.fsync,
    ...(options.gzipLevel === undefined ? {} : { gzipLevel: options.gzipLevel }),
    ...(options.segmentBytes === undefined ? {} : { maxSegmentBytes: options.segmentBytes }),
    ...(options.segmentAgeS === undefined ? {} : { maxSegmentAgeMs: options.segmentAgeS * 1000 }),
    ingestLimits: {
      ...(options.bodyTimeoutS === undefined ? {} : { bodyTimeoutMs: options.bodyTimeoutS * 1000 }),
      ...(options.bodyIdleS === undefined ? {} : { bodyIdleMs: options.bodyIdleS * 1000 }),
    },
  })
  const abort = new AbortController()
  let stopping = false
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return
    stopping = true
    stderrLog('collector_stopping', { signal })
    abort.abort()
    await running.stop()
    stderrLog('collector_stopped', { ...running.ingestor.getStats() })
  }
  process.once('SIGINT', () => void stop('SIGINT'))
  process.once('SIGTERM', () => void stop('SIGTERM'))

  const sink = (source: string, body: Buffer): Promise<unknown> =>
    running.ingestor.ingest(source, body)
  const pace = {
    rate: options.rate,
    spike: options.spike,
    count: options.count,
    signal: abort.signal,
    onRetry: (e: unknown) =>
      stderrLog('source_backoff', { error: e instanceof Error ? e.message : String(e) }),
  }
  const started = Date.now()
  try {
    if (options.replay !== undefined) {
      const totals = await sendPaced(
        withSourceFormat(readLines(options.replay), options.replay, options.source),
        sink,
        pace,
      )
      stderrLog('replay_done', {
        file: options.replay,
        ...totals,
        seconds: (Date.now() - started) / 1000,
      })
    }
    if (options.generate) {
      const totals = await sendPaced(syntheticLines(firehoseOf(options)), sink, pace)
      stderrLog('generate_done', { ...totals, seconds: (Date.now() - started) / 1000 })
    }
  } catch (e) {
    // What was received is sealed and uploaded before the error is reported.
    await stop('source failed')
    throw e
  }
  if (options.http === undefined) await stop('done')
}

/**
 * A clock for the synthetic records: real time, or from `start` advancing one record's share
 * of a second per call (so a seed and a start give byte-identical output).
 */
function recordClock(start: number | undefined, rate: number | undefined): () => number {
  if (start === undefined) return Date.now
  const step = 1000 / (rate ?? 1000)
  let n = 0
  return () => Math.floor(start + step * n++)
}

/** The synthetic-firehose flags both commands take. */
export interface GeneratorSettings {
  readonly rate?: number | undefined
  readonly count?: number | undefined
  readonly seed: number
  readonly sources: readonly SyntheticSource[]
  readonly duplicates: number
  readonly malformed: number
  readonly spike?: Spike | undefined
  readonly start?: number | undefined
}

function firehoseOf(settings: GeneratorSettings): SyntheticFirehose {
  return new SyntheticFirehose({
    now: recordClock(settings.start, settings.rate),
    seed: settings.seed,
    sources: settings.sources,
    duplicateRate: settings.duplicates,
    malformedRate: settings.malformed,
  })
}

/** `sluice generate`: synthetic firehose lines on stdout, paced. */
export async function runGenerate(
  options: GeneratorSettings & { stdout: NodeJS.WritableStream },
): Promise<void> {
  const firehose = firehoseOf(options)
  const write = (body: Buffer): Promise<void> =>
    new Promise((resolve) => {
      if (options.stdout.write(body)) resolve()
      else options.stdout.once('drain', () => resolve())
    })
  await sendPaced(syntheticLines(firehose), async (_source, body) => write(body), {
    rate: options.rate,
    spike: options.spike,
    count: options.count,
    // One stream of lines: batches are not per source here, so cut them often.
    batchRecords: 1000,
  })
}
