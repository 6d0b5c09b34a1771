import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { LiveHub } from '../live/live-hub.js'

/** The API's Prometheus metrics: requests, durations, refusals, reused answers, live delivery. */
export interface ApiMetrics {
  readonly registry: Registry
  readonly requests: Counter<'path' | 'status'>
  readonly seconds: Histogram<'path'>
  readonly refusals: Counter<'reason'>
  readonly reused: Counter
  readonly failures: Counter
}

export function createApiMetrics(live: LiveHub | undefined): ApiMetrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'sluice_api_' })
  const metrics: ApiMetrics = {
    registry,
    requests: new Counter({
      name: 'sluice_api_requests_total',
      help: 'HTTP requests by path and status',
      labelNames: ['path', 'status'],
      registers: [registry],
    }),
    seconds: new Histogram({
      name: 'sluice_api_request_seconds',
      help: 'HTTP request durations by path',
      labelNames: ['path'],
      buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    refusals: new Counter({
      name: 'sluice_api_refusals_total',
      help: 'Requests refused, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    reused: new Counter({
      name: 'sluice_api_answers_reused_total',
      help: 'Answers served from the response cache (same key and query within its time)',
      registers: [registry],
    }),
    failures: new Counter({
      name: 'sluice_api_unexpected_errors_total',
      help: 'Requests answered 500 by the last-resort guard (each logged with its id)',
      registers: [registry],
    }),
  }
  if (live !== undefined) {
    new Gauge({
      name: 'sluice_api_live_consumers',
      help: 'Clients following a stream live (HTTP, WebSocket, subscription)',
      registers: [registry],
      collect() {
        this.set(live.counts.consumers)
      },
    })
    new Gauge({
      name: 'sluice_api_live_delivered',
      help: 'Matches handed to live clients since the start',
      registers: [registry],
      collect() {
        this.set(live.counts.delivered)
      },
    })
    new Gauge({
      name: 'sluice_api_live_dropped',
      help: 'Live clients cut off for falling behind since the start',
      registers: [registry],
      collect() {
        this.set(live.counts.dropped)
      },
    })
  }
  return metrics
}
