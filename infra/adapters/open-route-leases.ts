import type { RouteLeases } from '../../schemas/ports/index.js'
import type { QueueConfig } from '../config/adapter-urls.js'
import { MemoryRouteLeases } from './route-leases/memory-route-leases.js'
import { RedisRouteLeases } from './route-leases/redis-route-leases.js'

/** Route leases beside the queue: in this process for `memory:`, else on the queue's Redis. */
export function openRouteLeases(config: QueueConfig): RouteLeases {
  if (config.kind === 'memory') return new MemoryRouteLeases()
  return new RedisRouteLeases({ host: config.host, port: config.port, prefix: config.prefix })
}
