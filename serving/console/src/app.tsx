import { useState } from 'preact/hooks'
import { Link, Redirect, Route, Router, Switch } from 'wouter-preact'
import { useHashLocation } from 'wouter-preact/use-hash-location'
import type { Api } from './api.js'
import { FilterPage } from './filter-page.js'
import { HealthBanner } from './health-banner.js'
import { RecordingsPage } from './recordings-page.js'
import { ReplaysPage } from './replays-page.js'
import { forgetKey, savedApi } from './session.js'
import { SignIn } from './sign-in.js'
import { StreamPage } from './stream-page.js'
import { StreamsPage } from './streams-page.js'

export function App() {
  const [api, setApi] = useState<Api | undefined>(savedApi)
  if (api === undefined) return <SignIn onSignedIn={setApi} />
  const signOut = () => {
    api.close()
    forgetKey()
    setApi(undefined)
  }
  return (
    <Router hook={useHashLocation}>
      <header class="top">
        <strong class="brand">Sluice</strong>
        <nav>
          <Link href="/filter">Filter</Link>
          <Link href="/streams">Streams</Link>
          <Link href="/replays">Replays</Link>
          <Link href="/recordings">Recordings</Link>
        </nav>
        <button type="button" class="quiet" onClick={signOut}>
          Sign out
        </button>
      </header>
      <HealthBanner />
      <main>
        <Switch>
          <Route path="/filter">
            <FilterPage api={api} />
          </Route>
          <Route path="/streams">
            <StreamsPage api={api} />
          </Route>
          <Route path="/streams/:hash">
            {(params) => <StreamPage api={api} hash={params.hash} />}
          </Route>
          <Route path="/replays">
            <ReplaysPage api={api} />
          </Route>
          <Route path="/recordings">
            <RecordingsPage api={api} />
          </Route>
          <Route>
            <Redirect to="/filter" />
          </Route>
        </Switch>
      </main>
    </Router>
  )
}
