import { useState } from 'preact/hooks'
import { ApiError } from './api.js'
import type { StreamSummary } from './streams-page.js'

/** A page's last failed action: `attempt` runs one, keeping its error message to show. */
export function useAttempt(): {
  error: string | undefined
  attempt: (step: () => Promise<void>) => Promise<void>
} {
  const [error, setError] = useState<string>()
  const attempt = async (step: () => Promise<void>) => {
    setError(undefined)
    try {
      await step()
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e))
    }
  }
  return { error, attempt }
}

export function ErrorAlert(props: { readonly message: string | undefined }) {
  if (props.message === undefined) return null
  return (
    <p class="error" role="alert">
      {props.message}
    </p>
  )
}

/** Which of your streams a replay or recording is of. */
export function StreamSelect(props: {
  readonly streams: readonly StreamSummary[] | undefined
  readonly value: string
  readonly onChange: (hash: string) => void
}) {
  return (
    <label>
      Stream
      <select value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {props.streams?.map((s) => (
          <option key={s.hash} value={s.hash}>
            {s.name}
          </option>
        ))}
      </select>
    </label>
  )
}

const minute = (iso: string): string => iso.slice(0, 16).replace('T', ' ')

/** The first cells of a replay's or recording's row: what it is and the window it covers. */
export function JobCells(props: {
  readonly id: string
  readonly name: string | null
  readonly format: string
  readonly from: string
  readonly to: string
}) {
  return (
    <>
      <td>
        {props.name ?? props.id}
        <div class="muted">{props.format.toLowerCase()}</div>
      </td>
      <td class="muted">
        {minute(props.from)} → {minute(props.to)}
      </td>
    </>
  )
}
