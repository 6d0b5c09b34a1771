import { linter, lintGutter, type Diagnostic } from '@codemirror/lint'
import { EditorView, basicSetup } from 'codemirror'
import { useEffect, useRef } from 'preact/hooks'
import type { Api } from './api.js'
import { csdl } from './csdl-language.js'

export interface CsdlProblem {
  readonly line: number
  readonly column: number
  readonly start: number
  readonly end: number
  readonly code: string
  readonly message: string
}

/** What `validateCsdl` said of the text in the editor. */
export interface CsdlCheck {
  readonly csdl: string
  readonly valid: boolean
  readonly hash: string | null
  readonly dpu: number | null
  readonly errors: readonly CsdlProblem[]
}

const VALIDATE = /* GraphQL */ `
  query ($csdl: String!) {
    validateCsdl(csdl: $csdl) {
      valid
      hash
      dpu
      errors {
        line
        column
        start
        end
        code
        message
      }
    }
  }
`

/** How long typing must pause before the filter is checked. */
const CHECK_DELAY_MS = 300

/**
 * A CSDL editor (CodeMirror) that checks what is typed through the API's `validateCsdl` and
 * marks each error where the server places it.
 */
export function CsdlEditor(props: {
  readonly api: Api
  readonly initial: string
  readonly onCheck: (check: CsdlCheck) => void
}) {
  const host = useRef<HTMLDivElement>(null)
  const onCheck = useRef(props.onCheck)
  onCheck.current = props.onCheck
  useEffect(() => {
    const parent = host.current
    if (parent === null) return
    const check = linter(
      async (view): Promise<Diagnostic[]> => {
        const text = view.state.doc.toString()
        if (text.trim() === '') {
          onCheck.current({ csdl: text, valid: false, hash: null, dpu: null, errors: [] })
          return []
        }
        const { validateCsdl } = await props.api.query<{
          validateCsdl: Omit<CsdlCheck, 'csdl'>
        }>(VALIDATE, { csdl: text })
        // The text may have changed while the answer was on its way; the linter asks again.
        if (view.state.doc.toString() !== text) return []
        onCheck.current({ csdl: text, ...validateCsdl })
        const size = view.state.doc.length
        return validateCsdl.errors.map((e) => {
          const from = Math.min(e.start, size)
          return {
            from,
            to: Math.min(Math.max(e.end, from + 1), size),
            severity: 'error',
            message: `${e.line}:${e.column}: ${e.message}`,
            source: e.code,
          }
        })
      },
      { delay: CHECK_DELAY_MS },
    )
    const view = new EditorView({
      doc: props.initial,
      parent,
      extensions: [
        basicSetup,
        csdl,
        lintGutter(),
        check,
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': 'CSDL filter' }),
      ],
    })
    return () => view.destroy()
    // The editor is made once; later props only change what it reports to (kept in a ref).
  }, [])
  return <div class="csdl-editor" ref={host} />
}
