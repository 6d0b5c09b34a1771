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

/** A job's filter as a row shows it: the stream's name when it is one of yours, else the CSDL. */
export function jobSubject(
  streams: readonly StreamSummary[] | undefined,
  stream: string | null,
  csdl?: string,
): string {
  const named = stream === null ? undefined : streams?.find((s) => s.hash === stream)?.name
  if (named !== undefined) return `stream ${named}`
  if (stream !== null) return `stream ${stream.slice(0, 8)}…`
  const text = (csdl ?? '').replace(/\s+/g, ' ')
  return text.length > 60 ? `${text.slice(0, 60)}…` : text
}

/** The first cells of a replay's or recording's row: what it is, what it ran, its window (UTC). */
export function JobCells(props: {
  readonly id: string
  readonly name: string | null
  readonly format: string
  readonly subject: string
  readonly from: string
  readonly to: string
}) {
  return (
    <>
      <td>
        {props.name ?? props.id}
        <div class="muted" data-testid="job-subject">
          {props.subject}
        </div>
        <div class="muted">{props.format.toLowerCase()}</div>
      </td>
      <td class="muted">
        {minute(props.from)} → {minute(props.to)} UTC
      </td>
    </>
  )
}

/** A table's row when it has none yet. */
export function EmptyRow(props: { readonly columns: number; readonly children: string }) {
  return (
    <tr class="empty">
      <td colSpan={props.columns} class="muted">
        {props.children}
      </td>
    </tr>
  )
}
