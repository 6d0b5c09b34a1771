import { Counter, Gauge, type Registry } from 'prom-client'

/*
 * Prometheus metrics read from a component's own totals at scrape time, so nothing on a hot
 * path touches prom-client.
 */

/** A counter following a running total (by its increases). */
export function polledCounter(
  registry: Registry,
  name: string,
  help: string,
  read: () => number,
): void {
  let last = 0
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = read()
      if (now > last) this.inc(now - last)
      last = now
    },
  })
}

/** A gauge set to `read()` at each scrape (a non-finite value is left out). */
export function polledGauge(
  registry: Registry,
  name: string,
  help: string,
  read: () => number,
): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      const value = read()
      if (Number.isFinite(value)) this.set(value)
      else this.reset()
    },
  })
}
