export const HEALTH_STATUSES = ['ok', 'degraded', 'failing'] as const
export type HealthStatus = (typeof HEALTH_STATUSES)[number]

export interface HealthCheck {
  readonly status: HealthStatus
  readonly detail: string
}

/** The `GET /health` digest: each named check, and the worst of them overall. */
export interface HealthReport {
  readonly status: HealthStatus
  readonly checks: Readonly<Record<string, HealthCheck>>
}

export function digest(checks: Readonly<Record<string, HealthCheck>>): HealthReport {
  const rank = (s: HealthStatus): number => HEALTH_STATUSES.indexOf(s)
  let status: HealthStatus = 'ok'
  for (const c of Object.values(checks)) if (rank(c.status) > rank(status)) status = c.status
  return { status, checks }
}

/** A check that degrades past `warn` and fails past `fail`. */
export function thresholdCheck(
  value: number,
  warn: number,
  fail: number,
  detail: string,
): HealthCheck {
  return { status: value > fail ? 'failing' : value > warn ? 'degraded' : 'ok', detail }
}
