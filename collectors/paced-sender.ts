import { setTimeout as sleep } from 'node:timers/promises'
import { BackpressureError, RawLogWriteError } from './collector-errors.js'

/** Where a source delivers its batches: the in-process ingestor, or an HTTP client. */
export type BatchSink = (source: string, body: Buffer) => Promise<unknown>

export interface Spike {
  /** A spike starts every `everyMs`… */
  readonly everyMs: number
  /** …lasts `durationMs`… */
  readonly durationMs: number
  /** …and multiplies the rate by `factor` (breaking news). */
  readonly factor: number
}

export interface PaceOptions {
  /** Records per second; absent or 0: as fast as the sink takes them. */
  readonly rate?: number | undefined
  readonly spike?: Spike | undefined
  /** Records per batch at most (a batch is also cut every `batchMs`). */
  readonly batchRecords?: number
  readonly batchMs?: number
  /** Stop after this many records. */
  readonly count?: number | undefined
  readonly signal?: AbortSignal | undefined
  readonly onRetry?: (error: unknown) => void
}

export interface SendTotals {
  readonly records: number
  readonly batches: number
  readonly retries: number
}

const NEWLINE = Buffer.from('\n')

/**
 * Plays lines into a sink like a streaming client: grouped into batches per source, paced at a
 * rate (with periodic spikes), and when the sink pushes back (busy, or a failed write) the same
 * batch is sent again after the delay it asked for, as a client reconnects.
 */
export async function sendPaced(
  lines:
    | AsyncIterable<{ readonly source: string; readonly line: string }>
    | Iterable<{ readonly source: string; readonly line: string }>,
  sink: BatchSink,
  options: PaceOptions = {},
): Promise<SendTotals> {
  const batchRecords = options.batchRecords ?? 500
  const batchMs = options.batchMs ?? 100
  const start = Date.now()
  const pending = new Map<string, string[]>()
  let records = 0
  let batches = 0
  let retries = 0
  let lastCut = Date.now()
  // Records the schedule allows by `t`, integrating the spiking rate over time.
  const allowedBy = (t: number): number => {
    const rate = options.rate ?? 0
    const elapsed = t - start
    const spike = options.spike
    if (spike === undefined) return (rate * elapsed) / 1000
    const cycles = Math.floor(elapsed / spike.everyMs)
    const within = elapsed - cycles * spike.everyMs
    const spiking = Math.min(within, spike.durationMs)
    const extraPerCycle = spike.durationMs * (spike.factor - 1)
    return (rate * (elapsed + cycles * extraPerCycle + spiking * (spike.factor - 1))) / 1000
  }

  const flush = async (source: string, batch: string[]): Promise<void> => {
    const body = Buffer.concat(batch.flatMap((l) => [Buffer.from(l), NEWLINE]))
    for (;;) {
      if (options.signal?.aborted === true) return
      try {
        await sink(source, body)
        batches++
        return
      } catch (e) {
        if (!(e instanceof BackpressureError || e instanceof RawLogWriteError)) throw e
        retries++
        options.onRetry?.(e)
        await sleep(e instanceof BackpressureError ? e.retryAfterS * 1000 : 1000)
      }
    }
  }
  const flushAll = async (): Promise<void> => {
    for (const [source, batch] of pending) if (batch.length > 0) await flush(source, batch)
    pending.clear()
    lastCut = Date.now()
  }

  for await (const { source, line } of lines) {
    if (options.signal?.aborted === true) break
    let batch = pending.get(source)
    if (batch === undefined) pending.set(source, (batch = []))
    batch.push(line)
    records++
    if (batch.length >= batchRecords || Date.now() - lastCut >= batchMs) await flushAll()
    if ((options.rate ?? 0) > 0) {
      // Ahead of schedule: send what is pending, then wait until the schedule catches up.
      while (allowedBy(Date.now()) < records) {
        await flushAll()
        await sleep(Math.min(batchMs, 50))
      }
    }
    if (options.count !== undefined && records >= options.count) break
  }
  await flushAll()
  return { records, batches, retries }
}
