import { randomUUID } from 'node:crypto'
import { openSpeedStore } from '../../infra/adapters/open-speed-store.js'
import { parseSpeedStoreUrl } from '../../infra/config/adapter-urls.js'
import { startCassandra, type CassandraServer } from '../../infra/launchers/cassandra-launcher.js'
import type { SpeedStore } from '../../schemas/ports/index.js'
import { chosenAdapters } from './adapter-choice.js'
import { tempDir } from './temp-dir.js'

/** The speed-store adapters a suite runs against (SLUICE_TEST_SPEED_STORES narrows them). */
export const SPEED_STORE_ADAPTERS = chosenAdapters('SLUICE_TEST_SPEED_STORES', [
  'level',
  'cassandra',
] as const)
export type SpeedStoreAdapter = (typeof SPEED_STORE_ADAPTERS)[number]

/**
 * Fresh speed stores of one adapter for a suite: LevelDB directories, or keyspaces of a real
 * Cassandra started in `start()` (call it from beforeAll) and stopped in `stop()`.
 */
export function speedStores(adapter: SpeedStoreAdapter, name: string) {
  const dir = tempDir(`${name}-${adapter}`)
  let cassandra: CassandraServer | undefined
  const opened: SpeedStore[] = []
  const url = (): string =>
    adapter === 'level'
      ? `level://${dir.path}/${randomUUID()}`
      : (cassandra as CassandraServer).url(`k${randomUUID().replaceAll('-', '').slice(0, 20)}`)
  return {
    url,
    async start(): Promise<void> {
      if (adapter === 'cassandra')
        cassandra = await startCassandra({ directory: `${dir.path}/cassandra` })
    },
    /** A new store, or another handle on the store at `at`. */
    async fresh(at: string = url()): Promise<SpeedStore> {
      const store = await openSpeedStore(parseSpeedStoreUrl('--speed-store', at))
      opened.push(store)
      return store
    },
    async close(store: SpeedStore): Promise<void> {
      opened.splice(opened.indexOf(store), 1)
      await store.close()
    },
    async stop(): Promise<void> {
      for (const store of opened) await store.close().catch(() => undefined)
      await cassandra?.process.stop()
      dir.remove()
    },
  }
}
