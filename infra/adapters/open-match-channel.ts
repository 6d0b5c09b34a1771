import type { MatchChannel } from '../../schemas/ports/index.js'
import type { QueueConfig } from '../config/adapter-urls.js'
import { MemoryMatchChannel } from './match-channel/memory-match-channel.js'
import { RedisMatchChannel } from './match-channel/redis-match-channel.js'

/** The matches channel beside a queue: in-process with `memory:`, Redis pub/sub with `redis://`. */
export function openMatchChannel(config: QueueConfig): MatchChannel {
  return config.kind === 'memory'
    ? new MemoryMatchChannel()
    : new RedisMatchChannel({ host: config.host, port: config.port, prefix: config.prefix })
}
