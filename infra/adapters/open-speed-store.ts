import type { SpeedStore } from '../../schemas/ports/index.js'
import type { SpeedStoreConfig } from '../config/adapter-urls.js'
import { CassandraSpeedStore } from './speed-store/cassandra-speed-store.js'
import { LevelSpeedStore } from './speed-store/level-speed-store.js'

/** The speed store a configuration names: LevelDB in a directory, or a Cassandra keyspace. */
export function openSpeedStore(config: SpeedStoreConfig): Promise<SpeedStore> {
  return config.kind === 'level'
    ? LevelSpeedStore.open(config.path)
    : CassandraSpeedStore.open(config)
}
