import { useEffect, useState } from 'preact/hooks'
import { useLocation } from 'wouter-preact'
import { ApiError, type Api } from './api.js'
import { CsdlEditor, type CsdlCheck } from './csdl-editor.js'
import { formatCount } from './download.js'
import { PreviewPanel } from './preview-panel.js'
import { addBatch, EMPTY_PREVIEW, type PreviewBatch, type PreviewStats } from './preview-stats.js'

const PREVIEW = /* GraphQL */ `
  subscription ($csdl: String!) {
    preview(csdl: $csdl) {
      seen
      matched
      interactions
    }
  }
`

const CREATE = /* GraphQL */ `
  mutation ($csdl: String!, $name: String!) {
    createStream(csdl: $csdl, name: $name) {
      hash
    }
  }
`

/** Write a filter (checked as you type), preview it on the live firehose, save it as a stream. */
export function FilterPage(props: { readonly api: Api }) {
  const [check, setCheck] = useState<CsdlCheck>()
  const [previewing, setPreviewing] = useState<string>()
  const [stats, setStats] = useState<PreviewStats>(EMPTY_PREVIEW)
  const [problem, setProblem] = useState<string>()
  const [name, setName] = useState('')
  const [, navigate] = useLocation()

  useEffect(() => {
    if (previewing === undefined) return
    setStats(EMPTY_PREVIEW)
    return props.api.subscribe<{ preview: PreviewBatch }>(
      PREVIEW,
      { csdl: previewing },
      {
        next: ({ preview }) => setStats((s) => addBatch(s, preview, Date.now())),
        error: (e) => {
          setProblem(e.message)
          setPreviewing(undefined)
        },
      },
    )
  }, [previewing, props.api])

  const save = async (e: Event) => {
    e.preventDefault()
    if (check === undefined || !check.valid) return
    try {
      const { createStream } = await props.api.query<{ createStream: { hash: string } }>(CREATE, {
        csdl: check.csdl,
        name: name.trim(),
      })
      navigate(`/streams/${createStream.hash}`)
    } catch (err) {
      setProblem(err instanceof ApiError ? err.message : String(err))
    }
  }

  const valid = check?.valid === true
  return (
    <section class="filter-page">
      <h1>Filter</h1>
      <CsdlEditor
        api={props.api}
        initial=""
        onCheck={(c) => {
          setCheck(c)
          setProblem(undefined)
        }}
      />
      <div class="check" aria-live="polite">
        {check === undefined || check.csdl.trim() === '' ? (
          <span class="muted">Type a CSDL filter, e.g. language.tag == "en"</span>
        ) : valid ? (
          <span class="ok" data-testid="csdl-valid">
            Valid · hash <code data-testid="csdl-hash">{check.hash}</code> · {check.dpu} DPU an hour
          </span>
        ) : (
          <ul class="csdl-errors" data-testid="csdl-errors">
            {check.errors.map((e) => (
              <li key={`${e.start}-${e.code}`}>
                <code>
                  {e.line}:{e.column}
                </code>{' '}
                {e.message}
              </li>
            ))}
          </ul>
        )}
      </div>
      <div class="actions">
        {previewing === undefined ? (
          <button
            type="button"
            disabled={!valid}
            onClick={() => check !== undefined && setPreviewing(check.csdl)}
          >
            Preview
          </button>
        ) : (
          <button type="button" onClick={() => setPreviewing(undefined)}>
            Stop preview
          </button>
        )}
        <form class="inline" onSubmit={(e) => void save(e)}>
          <input
            aria-label="Stream name"
            placeholder="stream name"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            required
          />
          <button type="submit" disabled={!valid || name.trim() === ''}>
            Save as stream
          </button>
        </form>
      </div>
      {problem !== undefined && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      {previewing !== undefined && (
        <p class="muted" data-testid="preview-counts">
          Previewing on the live firehose: {formatCount(stats.matched)} matched of{' '}
          {formatCount(stats.seen)} interactions seen
        </p>
      )}
      {(previewing !== undefined || stats.seen > 0) && <PreviewPanel stats={stats} />}
    </section>
  )
}
