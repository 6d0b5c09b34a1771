import { useState } from 'preact/hooks'
import { Api, ApiError } from './api.js'
import { saveKey } from './session.js'

/** Signing in is checking the key with `me`; the key then stays in this browser. */
export function SignIn(props: { readonly onSignedIn: (api: Api) => void }) {
  const [key, setKey] = useState('')
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    const api = new Api(key.trim())
    try {
      await api.query<{ me: { id: string } }>('{ me { id name } }')
      saveKey(key.trim())
      props.onSignedIn(api)
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <main class="sign-in">
      <h1>Sluice console</h1>
      <form onSubmit={(e) => void submit(e)}>
        <label>
          API key
          <input
            type="password"
            name="key"
            autocomplete="current-password"
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
            placeholder="sluice_…"
            required
          />
        </label>
        <button type="submit" disabled={busy || key.trim() === ''}>
          Sign in
        </button>
        {error !== undefined && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
      <p class="hint">
        <code>npm start</code> prints an admin key and keeps it in <code>data/api-key</code>;{' '}
        <code>sluice keys create</code> makes more.
      </p>
    </main>
  )
}
