import {
  startApiService,
  type ApiService,
  type ApiServiceConfig,
} from '../../infra/serve/api-service.js'
import type { ObjectStore, SpeedStore } from '../../schemas/ports/index.js'

/**
 * An API service on a free loopback port over `objects` and `speedStore`, as the tests use it:
 * no GraphiQL, no log, batch versions looked for once a minute; `more` adds or overrides.
 */
export function startEmbeddedApi(
  objects: ObjectStore,
  speedStore: SpeedStore,
  cacheDir: string,
  more: Partial<ApiServiceConfig> = {},
): Promise<ApiService> {
  return startApiService({
    objects,
    speedStore,
    routes: 4,
    cacheDir,
    http: { host: '127.0.0.1', port: 0 },
    refreshMs: 60_000,
    graphiql: false,
    log: () => undefined,
    // Run from sources there is no built worker module: compile on the test's own thread.
    compileThreads: 0,
    ...more,
  })
}
