import { Link } from 'wouter-preact'
import type { Api } from './api.js'
import { useQuery } from './use-query.js'

export interface StreamSummary {
  readonly hash: string
  readonly name: string
  readonly csdl: string
  readonly dpu: number
  readonly createdAt: string
}

export const STREAMS = /* GraphQL */ `
  {
    streams {
      hash
      name
      csdl
      dpu
      createdAt
    }
  }
`

/** Your streams, each linking to its analytics. */
export function StreamsPage(props: { readonly api: Api }) {
  const { data, error, reload } = useQuery<{ streams: StreamSummary[] }>(props.api, STREAMS, {})
  const remove = async (hash: string) => {
    await props.api.query('mutation ($h: ID!) { deleteStream(hash: $h) }', { h: hash })
    reload()
  }
  return (
    <section>
      <h1>Streams</h1>
      {error !== undefined && <p class="error">{error}</p>}
      <table class="list">
        <thead>
          <tr>
            <th>Name</th>
            <th>Filter</th>
            <th>DPU/h</th>
            <th>Created</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {data?.streams.map((s) => (
            <tr key={s.hash}>
              <td>
                <Link href={`/streams/${s.hash}`}>{s.name}</Link>
              </td>
              <td>
                <code class="clip">{s.csdl}</code>
              </td>
              <td>{s.dpu}</td>
              <td>{s.createdAt.slice(0, 16).replace('T', ' ')}</td>
              <td>
                <button type="button" class="quiet" onClick={() => void remove(s.hash)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
