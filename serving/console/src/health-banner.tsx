import { useEffect, useState } from 'preact/hooks'

interface HealthReport {
  readonly status: 'ok' | 'degraded' | 'failing'
  readonly checks: Readonly<Record<string, { readonly status: string; readonly detail: string }>>
}

/** How often the console asks the server how it stands. */
const HEALTH_MS = 10_000

/**
 * A banner while the server says it is degraded or failing, naming each part that is not ok
 * and why (from `/health`, which needs no key), so nobody reads stale charts unaware.
 */
export function HealthBanner() {
  const [report, setReport] = useState<HealthReport>()
  const [unreachable, setUnreachable] = useState(false)
  useEffect(() => {
    let stopped = false
    const look = async () => {
      try {
        const res = await fetch('/health')
        const body = (await res.json()) as HealthReport
        if (!stopped) {
          setReport(body)
          setUnreachable(false)
        }
      } catch {
        if (!stopped) setUnreachable(true)
      }
    }
    void look()
    const timer = setInterval(() => void look(), HEALTH_MS)
    return () => {
      stopped = true
      clearInterval(timer)
    }
  }, [])
  if (unreachable)
    return (
      <div class="health-banner failing" role="status" data-testid="health-banner">
        The server does not answer: what this page shows may be stale.
      </div>
    )
  if (report === undefined || report.status === 'ok') return null
  const bad = Object.entries(report.checks).filter(([, c]) => c.status !== 'ok')
  return (
    <div class={`health-banner ${report.status}`} role="status" data-testid="health-banner">
      <strong>Sluice is {report.status}.</strong>
      <ul>
        {bad.map(([name, c]) => (
          <li key={name}>
            <code>{name}</code> ({c.status}): {c.detail}
          </li>
        ))}
      </ul>
    </div>
  )
}
