import { useState } from 'preact/hooks'
import type { Api } from './api.js'
import { downloadFile, formatBytes, formatCount } from './download.js'

export interface OutputChunk {
  readonly url: string
  readonly presignedUrl: string | null
  readonly name: string
  readonly records: number
  readonly bytes: number
}

export const CHUNK_FIELDS = 'chunks { url presignedUrl name records bytes }'

/** A replay's or recording's output files, each a download button. */
export function OutputChunks(props: {
  readonly api: Api
  readonly chunks: readonly OutputChunk[]
}) {
  const [error, setError] = useState<string>()
  if (props.chunks.length === 0) return null
  return (
    <ul class="chunks">
      {props.chunks.map((c) => (
        <li key={c.name}>
          <button
            type="button"
            class="link"
            onClick={() => {
              downloadFile(props.api, c).catch((e: unknown) =>
                setError(e instanceof Error ? e.message : String(e)),
              )
            }}
          >
            Download {c.name.split('/').pop()}
          </button>{' '}
          <span class="muted">
            {formatCount(c.records)} records · {formatBytes(c.bytes)}
          </span>
        </li>
      ))}
      {error !== undefined && <li class="error">{error}</li>}
    </ul>
  )
}
