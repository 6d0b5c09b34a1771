import { digest, thresholdCheck, type HealthCheck, type HealthReport } from '../schemas/index.js'
import type { HandoffStats } from './log-handoff.js'
import type { RawLogStats } from './raw-log.js'
import type { RollingErrorRate } from './rolling-error-rate.js'
import type { UploaderStats } from './segment-uploader.js'

export interface CollectorHealthInputs {
  readonly log: () => RawLogStats
  readonly uploader: () => UploaderStats
  readonly handoff?: (() => HandoffStats) | undefined
  readonly errors: RollingErrorRate
  /** Whether the log directory accepts a write now. */
  readonly logWritable: () => Promise<boolean>
}

// Sealed segments waiting longer than these for upload or hand-off mean the store or the queue
// is in trouble; ingestion still works, so the collector is degraded, not failing, until the
// local disk backlog is what is at risk.
const UPLOAD_WARN_MS = 2 * 60_000
const UPLOAD_FAIL_MS = 30 * 60_000
const HANDOFF_WARN_MS = 2 * 60_000
const HANDOFF_FAIL_MS = 30 * 60_000
const ERROR_RATE_WARN = 0.01
const ERROR_RATE_FAIL = 0.1

const seconds = (ms: number): string => `${Math.round(ms / 1000)} s`

/** The collector's named checks: log writable, upload lag, hand-off lag, error rate (30 min). */
export async function collectorHealth(inputs: CollectorHealthInputs): Promise<HealthReport> {
  const log = inputs.log()
  const up = inputs.uploader()
  const writable = await inputs.logWritable()
  const checks: Record<string, HealthCheck> = {
    log_writable: writable
      ? {
          status: 'ok',
          detail: `${log.openSegments} open segments, ${log.pendingBytes} bytes queued for disk, ${log.writeErrors} write errors`,
        }
      : {
          status: 'failing',
          detail: `the log directory is not writable: ${log.lastWriteError ?? 'probe failed'}`,
        },
    upload_lag: thresholdCheck(
      up.oldestWaitingMs,
      UPLOAD_WARN_MS,
      UPLOAD_FAIL_MS,
      `${up.waiting} segments (${up.waitingBytes} bytes) wait for upload, oldest ${seconds(up.oldestWaitingMs)}${up.lastError === undefined ? '' : `; last error: ${up.lastError}`}`,
    ),
  }
  if (inputs.handoff !== undefined) {
    const h = inputs.handoff()
    checks['handoff_lag'] = thresholdCheck(
      h.oldestBehindMs,
      HANDOFF_WARN_MS,
      HANDOFF_FAIL_MS,
      `${h.behind} segments wait for the queue, oldest ${seconds(h.oldestBehindMs)}${h.lastError === undefined ? '' : `; last error: ${h.lastError}`}`,
    )
  }
  const e = inputs.errors.totals()
  const rate = e.requests === 0 ? 0 : e.errors / e.requests
  checks['error_rate'] = thresholdCheck(
    rate,
    ERROR_RATE_WARN,
    ERROR_RATE_FAIL,
    `${e.errors} of ${e.requests} requests failed in the last ${Math.round(e.windowMs / 60_000)} min`,
  )
  return digest(checks)
}
