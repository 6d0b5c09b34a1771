import { Gauge, Registry } from 'prom-client'
import type { ComponentState } from './supervisor.js'

/**
 * The supervised components' state as Prometheus gauges, read at scrape time:
 * `sluice_component_up` (1 while it has not failed since its last success),
 * `sluice_component_failures_total`, `sluice_component_failures_in_a_row`,
 * `sluice_component_last_success_seconds` (Unix time).
 */
export function componentMetrics(states: () => readonly ComponentState[]): Registry {
  const registry = new Registry()
  const gauge = (
    name: string,
    help: string,
    value: (c: ComponentState) => number | undefined,
  ): void => {
    new Gauge({
      name,
      help,
      labelNames: ['component'],
      registers: [registry],
      collect() {
        this.reset()
        for (const c of states()) {
          const v = value(c)
          if (v !== undefined && Number.isFinite(v)) this.set({ component: c.name }, v)
        }
      },
    })
  }
  gauge(
    'sluice_component_up',
    'Whether the component has not failed since its last success',
    (c) => (c.failures === 0 && c.status !== 'stopped' ? 1 : 0),
  )
  gauge('sluice_component_failures_total', 'Failures since the start', (c) => c.failuresTotal)
  gauge('sluice_component_failures_in_a_row', 'Failures since the last success', (c) => c.failures)
  gauge(
    'sluice_component_last_success_seconds',
    'When the component last succeeded (Unix seconds)',
    (c) => (c.lastSuccessAt === undefined ? undefined : c.lastSuccessAt / 1000),
  )
  return registry
}
