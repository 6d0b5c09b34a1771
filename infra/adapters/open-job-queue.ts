import type { JobQueue, RetryPolicy } from '../../schemas/ports/index.js'
import type { QueueConfig } from '../config/adapter-urls.js'
import { BullmqJobQueue } from './queue/bullmq-queue-adapter.js'
import { MemoryJobQueue } from './queue/memory-queue-adapter.js'

/** The queue named `name` on the backend a config names. */
export function openJobQueue<T>(
  config: QueueConfig,
  name: string,
  retry?: RetryPolicy,
): JobQueue<T> {
  if (config.kind === 'memory') return new MemoryJobQueue<T>(retry)
  return new BullmqJobQueue<T>(name, {
    host: config.host,
    port: config.port,
    prefix: config.prefix,
    lockMs: config.lockMs,
    ...(retry === undefined ? {} : { retry }),
  })
}
