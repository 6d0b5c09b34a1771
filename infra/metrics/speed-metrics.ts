import { collectDefaultMetrics, Registry } from 'prom-client'
import type { SpeedMetrics } from '../../speed/index.js'
import { polledCounter, polledGauge } from './polled-metrics.js'

export interface SpeedMetricSources {
  readonly worker: () => SpeedMetrics
  /** The batch watermark the worker applies (ms; -Infinity before the first batch version). */
  readonly watermark: () => number
  readonly streams: () => number
  /** Routes this process writes now (holds the lease of), when it divides them with others. */
  readonly routesOwned?: () => number
  readonly now?: () => number
  /** Add the process metrics (default); a stack whose API has them already says false. */
  readonly defaultMetrics?: boolean
}

/** `sluice speed`'s Prometheus metrics, read from the worker's own totals at scrape time. */
export function speedMetrics(sources: SpeedMetricSources): Registry {
  const registry = new Registry()
  if (sources.defaultMetrics !== false)
    collectDefaultMetrics({ register: registry, prefix: 'sluice_speed_' })
  const now = sources.now ?? Date.now
  const totals: [keyof SpeedMetrics, string][] = [
    ['jobs', 'Hand-off jobs handled'],
    ['lines', 'Raw-log lines read'],
    ['malformed', 'Lines or records that did not normalize (set aside by the shredder)'],
    [
      'future',
      'Interactions created later than their receipt plus the tolerance, set aside (future_timestamp)',
    ],
    ['interactions', 'Interactions normalized'],
    ['matches', 'Stream matches found'],
    ['applied', 'Interactions counted in the speed views'],
    ['duplicates', 'Interactions already counted (the same id in another job)'],
    ['late', 'Interactions older than the batch watermark, left to the next batch run'],
    ['redelivered', 'Route parts of jobs delivered again and found already applied'],
    ['commits', 'Route commits'],
    ['conflicts', 'Route commits refused because another writer came first (then retried)'],
  ]
  for (const [field, help] of totals)
    polledCounter(registry, `sluice_speed_${field}_total`, help, () => sources.worker()[field])
  const owned = sources.routesOwned
  if (owned !== undefined)
    polledGauge(
      registry,
      'sluice_speed_routes_owned',
      'Routes this process writes now (holds the lease of)',
      owned,
    )
  polledGauge(
    registry,
    'sluice_speed_watermark_seconds',
    'The batch watermark applied (Unix seconds)',
    () => sources.watermark() / 1000,
  )
  polledGauge(
    registry,
    'sluice_speed_lag_seconds',
    'Age of the newest interaction committed (event time)',
    () => (now() - sources.worker().newest) / 1000,
  )
  polledGauge(registry, 'sluice_speed_streams', 'Streams matched', sources.streams)
  return registry
}
