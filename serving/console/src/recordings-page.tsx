import { useState } from 'preact/hooks'
import type { Api } from './api.js'
import { formatBytes, formatCount } from './download.js'
import {
  EmptyRow,
  ErrorAlert,
  JobCells,
  jobSubject,
  StreamSelect,
  useAttempt,
} from './job-parts.js'
import { CHUNK_FIELDS, OutputChunks, type OutputChunk } from './output-chunks.js'
import { STREAMS, type StreamSummary } from './streams-page.js'
import { fromUtcInput, toUtcInput } from './time-input.js'
import { useQuery } from './use-query.js'

const SCHEDULE = /* GraphQL */ `
  mutation (
    $stream: ID!
    $start: DateTime!
    $end: DateTime!
    $format: RecordingFormat!
    $fields: [String!]
    $name: String
  ) {
    scheduleRecording(
      stream: $stream
      start: $start
      end: $end
      format: $format
      fields: $fields
      name: $name
    ) {
      id
    }
  }
`

const RECORDINGS = /* GraphQL */ `
  {
    recordings {
      id
      name
      stream
      start
      end
      format
      state
      reason
      records
      bytes
      ${CHUNK_FIELDS}
    }
  }
`

interface Recording {
  readonly id: string
  readonly name: string | null
  readonly stream: string
  readonly start: string
  readonly end: string
  readonly format: string
  readonly state: 'SCHEDULED' | 'RECORDING' | 'FINALIZING' | 'DONE' | 'FAILED' | 'CANCELLED'
  readonly reason: string | null
  readonly records: number
  readonly bytes: number
  readonly chunks: readonly OutputChunk[]
}

/** Scheduled recordings of a stream: schedule, follow, cancel, delete, download. */
export function RecordingsPage(props: { readonly api: Api }) {
  const streams = useQuery<{ streams: StreamSummary[] }>(props.api, STREAMS, {})
  const recordings = useQuery<{ recordings: Recording[] }>(props.api, RECORDINGS, {}, 2000)
  const [stream, setStream] = useState('')
  const [start, setStart] = useState(() => toUtcInput(Date.now() + 2 * 60_000))
  const [end, setEnd] = useState(() => toUtcInput(Date.now() + 62 * 60_000))
  const [format, setFormat] = useState('NDJSON')
  const [fields, setFields] = useState('')
  const [name, setName] = useState('')
  const chosen = stream === '' ? (streams.data?.streams[0]?.hash ?? '') : stream

  const { error, attempt: run } = useAttempt()
  const attempt = (step: () => Promise<void>) =>
    run(async () => {
      await step()
      recordings.reload()
    })
  const schedule = () =>
    attempt(async () => {
      const list = fields
        .split(',')
        .map((f) => f.trim())
        .filter((f) => f !== '')
      await props.api.query(SCHEDULE, {
        stream: chosen,
        start: fromUtcInput(start),
        end: fromUtcInput(end),
        format,
        ...(format === 'CSV' && list.length > 0 ? { fields: list } : {}),
        ...(name.trim() === '' ? {} : { name: name.trim() }),
      })
    })
  const act = (kind: 'cancelRecording' | 'deleteRecording', id: string) =>
    attempt(async () => {
      await props.api.query(`mutation ($id: ID!) { ${kind}(id: $id) { id } }`, { id })
    })

  return (
    <section>
      <h1>Recordings</h1>
      <form class="panel" onSubmit={(e) => (e.preventDefault(), void schedule())}>
        <StreamSelect streams={streams.data?.streams} value={chosen} onChange={setStream} />
        <label>
          Start (UTC)
          <input
            type="datetime-local"
            value={start}
            onInput={(e) => setStart(e.currentTarget.value)}
          />
        </label>
        <label>
          End (UTC)
          <input type="datetime-local" value={end} onInput={(e) => setEnd(e.currentTarget.value)} />
        </label>
        <label>
          Format
          <select value={format} onChange={(e) => setFormat(e.currentTarget.value)}>
            <option value="NDJSON">NDJSON (gzip)</option>
            <option value="CSV">CSV (gzip)</option>
            <option value="PARQUET">Parquet</option>
          </select>
        </label>
        {format === 'CSV' && (
          <label>
            Columns
            <input
              value={fields}
              placeholder="interaction.id, interaction.content (default: a common set)"
              onInput={(e) => setFields(e.currentTarget.value)}
            />
          </label>
        )}
        <label>
          Name
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={chosen === ''}>
          Schedule
        </button>
      </form>
      <ErrorAlert message={error} />
      <table class="list">
        <thead>
          <tr>
            <th>Recording</th>
            <th>Window</th>
            <th>State</th>
            <th>Kept</th>
            <th>Output</th>
          </tr>
        </thead>
        <tbody>
          {recordings.data?.recordings.length === 0 && (
            <EmptyRow columns={5}>
              No recordings yet: schedule one above; it keeps a stream's matches between two times.
            </EmptyRow>
          )}
          {recordings.data?.recordings.map((r) => (
            <tr key={r.id}>
              <JobCells
                id={r.id}
                name={r.name}
                format={r.format}
                subject={jobSubject(streams.data?.streams, r.stream)}
                from={r.start}
                to={r.end}
              />
              <td>
                <span class={`state ${r.state.toLowerCase()}`}>{r.state}</span>
                {r.reason !== null && <div class="error">{r.reason}</div>}
              </td>
              <td>
                {formatCount(r.records)} records · {formatBytes(r.bytes)}
              </td>
              <td>
                <OutputChunks api={props.api} chunks={r.chunks} />
                {(r.state === 'SCHEDULED' || r.state === 'RECORDING') && (
                  <button
                    type="button"
                    class="quiet"
                    onClick={() => void act('cancelRecording', r.id)}
                  >
                    Cancel
                  </button>
                )}
                {r.state !== 'RECORDING' && r.state !== 'FINALIZING' && (
                  <button
                    type="button"
                    class="quiet"
                    onClick={() => void act('deleteRecording', r.id)}
                  >
                    Delete
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
