import { useState } from 'preact/hooks'
import type { Api } from './api.js'
import { formatCount } from './download.js'
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

const ESTIMATE = /* GraphQL */ `
  query ($stream: ID, $from: DateTime!, $to: DateTime!) {
    estimateReplay(stream: $stream, from: $from, to: $to) {
      partitions
      rowsToScan
      rowsInRange
      matches
      matchesLow
      matchesHigh
    }
  }
`

const CREATE = /* GraphQL */ `
  mutation ($stream: ID, $from: DateTime!, $to: DateTime!, $format: ReplayFormat!, $name: String) {
    createReplay(stream: $stream, from: $from, to: $to, format: $format, name: $name) {
      id
    }
  }
`

const REPLAYS = /* GraphQL */ `
  {
    replays {
      id
      name
      stream
      csdl
      from
      to
      format
      state
      reason
      createdAt
      progress {
        partitionsDone
        partitionsTotal
        rowsScanned
        rowsTotal
        matches
        etaSeconds
      }
      ${CHUNK_FIELDS}
    }
  }
`

interface Estimate {
  readonly partitions: number
  readonly rowsToScan: number
  readonly rowsInRange: number
  readonly matches: number
  readonly matchesLow: number
  readonly matchesHigh: number
}

interface Replay {
  readonly id: string
  readonly name: string | null
  readonly stream: string | null
  readonly csdl: string
  readonly from: string
  readonly to: string
  readonly format: string
  readonly state: 'QUEUED' | 'RUNNING' | 'DONE' | 'CANCELLED' | 'FAILED'
  readonly reason: string | null
  readonly createdAt: string
  readonly progress: {
    readonly partitionsDone: number
    readonly partitionsTotal: number
    readonly rowsScanned: number
    readonly rowsTotal: number
    readonly matches: number
    readonly etaSeconds: number | null
  }
  readonly chunks: readonly OutputChunk[]
}

/** Replays of a stream over the archive: estimate, start, follow, cancel, download. */
export function ReplaysPage(props: { readonly api: Api }) {
  const streams = useQuery<{ streams: StreamSummary[] }>(props.api, STREAMS, {})
  const replays = useQuery<{ replays: Replay[] }>(props.api, REPLAYS, {}, 2000)
  const [stream, setStream] = useState('')
  const [from, setFrom] = useState(() => toUtcInput(Date.now() - 86_400_000))
  const [to, setTo] = useState(() => toUtcInput(Date.now() + 60_000))
  const [format, setFormat] = useState('NDJSON')
  const [name, setName] = useState('')
  const [estimate, setEstimate] = useState<Estimate>()
  const chosen = stream === '' ? (streams.data?.streams[0]?.hash ?? '') : stream
  const window = { stream: chosen, from: fromUtcInput(from), to: fromUtcInput(to) }

  const { error, attempt } = useAttempt()
  const estimateIt = () =>
    attempt(async () => {
      const { estimateReplay } = await props.api.query<{ estimateReplay: Estimate }>(
        ESTIMATE,
        window,
      )
      setEstimate(estimateReplay)
    })
  const start = () =>
    attempt(async () => {
      await props.api.query(CREATE, {
        ...window,
        format,
        ...(name.trim() === '' ? {} : { name: name.trim() }),
      })
      setEstimate(undefined)
      replays.reload()
    })
  const cancel = (id: string) =>
    attempt(async () => {
      await props.api.query('mutation ($id: ID!) { cancelReplay(id: $id) { state } }', { id })
      replays.reload()
    })

  return (
    <section>
      <h1>Replays</h1>
      <form class="panel" onSubmit={(e) => (e.preventDefault(), void estimateIt())}>
        <StreamSelect
          streams={streams.data?.streams}
          value={chosen}
          onChange={(hash) => (setStream(hash), setEstimate(undefined))}
        />
        <label>
          From (UTC)
          <input
            type="datetime-local"
            value={from}
            onInput={(e) => (setFrom(e.currentTarget.value), setEstimate(undefined))}
          />
        </label>
        <label>
          To (UTC)
          <input
            type="datetime-local"
            value={to}
            onInput={(e) => (setTo(e.currentTarget.value), setEstimate(undefined))}
          />
        </label>
        <label>
          Format
          <select value={format} onChange={(e) => setFormat(e.currentTarget.value)}>
            <option value="NDJSON">NDJSON (gzip)</option>
            <option value="PARQUET">Parquet</option>
          </select>
        </label>
        <label>
          Name
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={chosen === ''}>
          Estimate
        </button>
      </form>
      {estimate !== undefined && (
        <div class="panel estimate" data-testid="replay-estimate">
          <p>
            Reads {formatCount(estimate.partitions)} partitions ({formatCount(estimate.rowsToScan)}{' '}
            rows, {formatCount(estimate.rowsInRange)} in range) and should find about{' '}
            <strong>{formatCount(estimate.matches)}</strong> matches (95%:{' '}
            {formatCount(estimate.matchesLow)}–{formatCount(estimate.matchesHigh)}).
          </p>
          <button type="button" onClick={() => void start()}>
            Start replay
          </button>
        </div>
      )}
      <ErrorAlert message={error} />
      <table class="list replays">
        <thead>
          <tr>
            <th>Replay</th>
            <th>Window</th>
            <th>State</th>
            <th>Progress</th>
            <th>Output</th>
          </tr>
        </thead>
        <tbody>
          {replays.data?.replays.length === 0 && (
            <EmptyRow columns={5}>
              No replays yet: estimate one above, then start it; it runs a stream over the archive.
            </EmptyRow>
          )}
          {replays.data?.replays.map((r) => (
            <tr key={r.id} data-replay={r.id}>
              <JobCells
                id={r.id}
                name={r.name}
                format={r.format}
                subject={jobSubject(streams.data?.streams, r.stream, r.csdl)}
                from={r.from}
                to={r.to}
              />
              <td>
                <span class={`state ${r.state.toLowerCase()}`} data-testid="replay-state">
                  {r.state}
                </span>
                {r.reason !== null && <div class="error">{r.reason}</div>}
              </td>
              <td>
                <progress
                  max={Math.max(r.progress.partitionsTotal, 1)}
                  value={r.progress.partitionsDone}
                />
                <div class="muted">
                  {r.progress.partitionsDone}/{r.progress.partitionsTotal} partitions ·{' '}
                  {formatCount(r.progress.matches)} matches
                  {r.progress.etaSeconds !== null && r.state === 'RUNNING'
                    ? ` · ${Math.ceil(r.progress.etaSeconds)} s left`
                    : ''}
                </div>
                {(r.state === 'QUEUED' || r.state === 'RUNNING') && (
                  <button type="button" class="quiet" onClick={() => void cancel(r.id)}>
                    Cancel
                  </button>
                )}
              </td>
              <td>
                <OutputChunks api={props.api} chunks={r.chunks} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
