import { setTimeout as sleep } from 'node:timers/promises'
import type { HealthCheck } from '../../schemas/index.js'

/** How one supervised component stands. */
export interface ComponentState {
  readonly name: string
  /** Running as it should; retrying after a failure; stopped by the supervisor. */
  readonly status: 'starting' | 'running' | 'retrying' | 'stopped'
  readonly lastSuccessAt: number | undefined
  readonly lastErrorAt: number | undefined
  readonly lastError: string | undefined
  /** Failures since the last success. */
  readonly failures: number
  /** Failures since the start. */
  readonly failuresTotal: number
  /** What the last success reported (a version published, a count). */
  readonly detail: string | undefined
}

export interface ComponentPolicy {
  /** First wait before a retry; doubled after each failure in a row… */
  readonly retryMs?: number
  /** …up to this (default 60 s). */
  readonly maxRetryMs?: number
  /** Degraded once the last success is older than this (default: never for its age alone). */
  readonly staleAfterMs?: number
  /** Failing after this many failures in a row (default 5); degraded from the first. */
  readonly failingAfter?: number
}

interface Component {
  readonly name: string
  readonly policy: ComponentPolicy
  status: ComponentState['status']
  lastSuccessAt: number | undefined
  lastErrorAt: number | undefined
  lastError: string | undefined
  failures: number
  failuresTotal: number
  detail: string | undefined
  loop: Promise<void> | undefined
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e))
const ago = (ms: number): string =>
  ms < 120_000 ? `${Math.round(ms / 1000)} s ago` : `${Math.round(ms / 60_000)} min ago`

/**
 * Runs the parts of a stack as components that fail alone: a periodic task whose run throws is
 * retried with backoff and runs again on its schedule (one failure never poisons the next
 * run); a long-running task that ends or throws is started again. Runs of a component never
 * overlap. Each component's state (last success, last error, failures in a row) is kept for
 * `/health` and `/metrics`.
 */
export class Supervisor {
  private readonly components = new Map<string, Component>()
  /** How `watched` components are asked how they stand. */
  private readonly probes = new Map<string, () => Promise<string | void>>()
  private readonly abort = new AbortController()

  constructor(
    private readonly log: (event: string, fields: Readonly<Record<string, unknown>>) => void,
    private readonly now: () => number = Date.now,
  ) {}

  private add(name: string, policy: ComponentPolicy): Component {
    if (this.components.has(name)) throw new Error(`component ${name} is already supervised`)
    const c: Component = {
      name,
      policy,
      status: 'starting',
      lastSuccessAt: undefined,
      lastErrorAt: undefined,
      lastError: undefined,
      failures: 0,
      failuresTotal: 0,
      detail: undefined,
      loop: undefined,
    }
    this.components.set(name, c)
    return c
  }

  private succeeded(c: Component, detail: string | void): void {
    c.status = 'running'
    c.lastSuccessAt = this.now()
    c.failures = 0
    if (detail !== undefined) c.detail = detail
  }

  /** Records a failure; returns how long to wait before trying again. */
  private failed(c: Component, e: unknown): number {
    c.status = 'retrying'
    c.lastErrorAt = this.now()
    c.lastError = errorText(e)
    c.failures++
    c.failuresTotal++
    const wait = Math.min(
      (c.policy.retryMs ?? 1000) * 2 ** (c.failures - 1),
      c.policy.maxRetryMs ?? 60_000,
    )
    this.log('component_failed', {
      component: c.name,
      error: c.lastError,
      failuresInARow: c.failures,
      retryInMs: wait,
    })
    return wait
  }

  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.abort.signal }).catch(() => undefined)
  }

  /**
   * `task` every `everyMs` (measured from the end of a run), and at once when `trigger` is
   * called; a failed run is retried after a backoff instead of waiting a whole period. What
   * the task resolves with is kept as the component's detail.
   */
  periodic(
    name: string,
    everyMs: number,
    task: (signal: AbortSignal) => Promise<string | void>,
    policy: ComponentPolicy & { readonly firstAfterMs?: number } = {},
  ): { trigger: () => void } {
    const c = this.add(name, policy)
    let wake: (() => void) | undefined
    let triggered = false
    const signal = this.abort.signal
    c.loop = (async () => {
      if (policy.firstAfterMs !== undefined) {
        await Promise.race([this.pause(policy.firstAfterMs), new Promise<void>((r) => (wake = r))])
        wake = undefined
        triggered = false
      }
      while (!signal.aborted) {
        let wait = everyMs
        try {
          this.succeeded(c, await task(signal))
        } catch (e) {
          if (signal.aborted) break
          wait = Math.min(everyMs, this.failed(c, e))
        }
        if (triggered) {
          triggered = false
          continue
        }
        await Promise.race([this.pause(wait), new Promise<void>((r) => (wake = r))])
        wake = undefined
      }
      c.status = 'stopped'
    })()
    return {
      trigger: () => {
        triggered = true
        wake?.()
      },
    }
  }

  /**
   * A task that runs until stopped (a consumer, a source); if it ends or throws it is started
   * again after a backoff. It counts as a success once it has run `healthyAfterMs` (default
   * 5 s) without failing.
   */
  longRunning(
    name: string,
    task: (signal: AbortSignal) => Promise<void>,
    policy: ComponentPolicy & { readonly healthyAfterMs?: number } = {},
  ): void {
    const c = this.add(name, policy)
    const signal = this.abort.signal
    c.loop = (async () => {
      while (!signal.aborted) {
        const started = this.now()
        c.status = 'running'
        const healthy = setTimeout(
          () => this.succeeded(c, undefined),
          policy.healthyAfterMs ?? 5000,
        )
        healthy.unref()
        let wait: number
        try {
          await task(signal)
          if (signal.aborted) break
          wait = this.failed(
            c,
            new Error(`${name} ended by itself after ${this.now() - started} ms`),
          )
        } catch (e) {
          if (signal.aborted) break
          wait = this.failed(c, e)
        } finally {
          clearTimeout(healthy)
        }
        await this.pause(wait)
      }
      c.status = 'stopped'
    })()
  }

  /**
   * A component whose work runs elsewhere (its own loops, retrying by themselves): its state is
   * what `probe` says when asked. `probe` resolves with a detail, or throws what is wrong.
   */
  watched(name: string, probe: () => Promise<string | void>, policy: ComponentPolicy = {}): void {
    const c = this.add(name, policy)
    c.status = 'running'
    c.loop = undefined
    // Probed when health is read: see checks().
    this.probes.set(name, probe)
  }

  /** Every component's state now. */
  states(): ComponentState[] {
    return [...this.components.values()].map((c) => ({
      name: c.name,
      status: c.status,
      lastSuccessAt: c.lastSuccessAt,
      lastErrorAt: c.lastErrorAt,
      lastError: c.lastError,
      failures: c.failures,
      failuresTotal: c.failuresTotal,
      detail: c.detail,
    }))
  }

  /**
   * One health check per component: ok while it succeeds; degraded after a failure (saying
   * which, when, and when it last succeeded) or when its last success is older than its
   * `staleAfterMs`; failing after `failingAfter` failures in a row.
   */
  async checks(): Promise<Record<string, HealthCheck>> {
    await Promise.all(
      [...this.probes].map(async ([name, probe]) => {
        const c = this.components.get(name) as Component
        try {
          this.succeeded(c, await probe())
        } catch (e) {
          c.status = 'retrying'
          c.lastErrorAt = this.now()
          c.lastError = errorText(e)
          c.failures++
          c.failuresTotal++
        }
      }),
    )
    const out: Record<string, HealthCheck> = {}
    const now = this.now()
    for (const c of this.components.values()) {
      const success = c.lastSuccessAt === undefined ? 'never yet' : ago(now - c.lastSuccessAt)
      const stale = c.policy.staleAfterMs
      if (c.failures >= (c.policy.failingAfter ?? 5))
        out[c.name] = {
          status: 'failing',
          detail: `${c.failures} failures in a row, the last ${ago(now - (c.lastErrorAt ?? now))}: ${c.lastError}; last success ${success}`,
        }
      else if (c.failures > 0)
        out[c.name] = {
          status: 'degraded',
          detail: `failed ${ago(now - (c.lastErrorAt ?? now))}: ${c.lastError}; retrying; last success ${success}`,
        }
      else if (
        stale !== undefined &&
        (c.lastSuccessAt === undefined ? c.status !== 'starting' : now - c.lastSuccessAt > stale)
      )
        out[c.name] = {
          status: 'degraded',
          detail: `no success for longer than ${Math.round(stale / 1000)} s (last ${success})`,
        }
      else
        out[c.name] = {
          status: 'ok',
          detail: `${c.detail ?? c.status}; last success ${success}`,
        }
    }
    return out
  }

  /** Stops every component: runs in progress are told through their signal and awaited. */
  async stop(): Promise<void> {
    this.abort.abort()
    await Promise.all([...this.components.values()].map((c) => c.loop ?? Promise.resolve()))
  }
}
