import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Writable } from 'node:stream'
import { speedRoutes } from '../../speed/index.js'
import { openObjectStore } from '../adapters/open-object-store.js'
import { openSpeedStore } from '../adapters/open-speed-store.js'
import type { QueueConfig, SpeedStoreConfig, StoreConfig } from '../config/adapter-urls.js'
import { openJobQueue } from '../adapters/open-job-queue.js'
import { openMatchChannel } from '../adapters/open-match-channel.js'
import type { ReplayTask } from '../../serving/index.js'
import { ConfigError } from '../config/config-error.js'
import { HANDOFF_QUEUE, type HandoffJob } from '../../schemas/index.js'
import { REPLAY_QUEUE } from './replay-command.js'
import { startApiService } from '../serve/api-service.js'

export interface ServeCommandOptions {
  readonly store: StoreConfig
  readonly speedStore: SpeedStoreConfig
  readonly http: { readonly host: string; readonly port: number }
  readonly cacheDir?: string
  readonly refreshMs: number
  readonly graphiql: boolean
  /** Requests per second per key (bursts of twice as many). */
  readonly rateLimit?: number
  /** How long a key's answer is reused for the same query (0: never). */
  readonly responseCacheMs?: number
  /** Where replay tasks go: this process's own queue, or one shared with `sluice replay worker`. */
  readonly queue?: QueueConfig
  /** Replay tasks this process runs at once (0: only workers elsewhere). */
  readonly replayWorkers?: number
  /** How long after a recording's end late hand-offs are waited for. */
  readonly recordingSettleMs?: number
  /** Recordings a key may have scheduled or running at once. */
  readonly maxRecordings?: number
  /** Requests of one key in progress at once, and live connections it may hold open. */
  readonly maxConcurrent?: number
  readonly maxLive?: number
  /** Streams one key may register. */
  readonly maxStreams?: number
  /** Worker threads compiling callers' filters (0: on the event loop). */
  readonly compileThreads?: number
  /** Origins whose pages may call the API from a browser. */
  readonly corsOrigins?: readonly string[]
  readonly stderr: Writable
  /** Resolves when the process should stop (SIGINT/SIGTERM). */
  readonly stopped: Promise<void>
}

/** `sluice serve`: the GraphQL API until stopped. */
export async function runServeCommand(options: ServeCommandOptions): Promise<void> {
  if (options.queue?.kind === 'memory' && options.replayWorkers === 0)
    throw new ConfigError(
      '--replay-workers',
      '0',
      'with an in-process queue this server must run the replays: give a shared --queue redis://HOST:PORT',
    )
  const objects = openObjectStore(options.store)
  const speedStore = await openSpeedStore(options.speedStore)
  const log = (event: string, fields: Readonly<Record<string, unknown>>): void => {
    options.stderr.write(`${JSON.stringify({ at: new Date().toISOString(), event, ...fields })}\n`)
  }
  const shared =
    options.queue === undefined || options.queue.kind === 'memory' ? undefined : options.queue
  const replayQueue =
    shared === undefined ? undefined : openJobQueue<ReplayTask>(shared, REPLAY_QUEUE)
  // Live delivery follows the speed processes' matches channel beside the shared queue, and
  // recordings are finalized once the speed processes have consumed the collectors' hand-off.
  const matches = shared === undefined ? undefined : openMatchChannel(shared)
  const handoff = shared === undefined ? undefined : openJobQueue<HandoffJob>(shared, HANDOFF_QUEUE)
  try {
    const routes = await speedRoutes(speedStore)
    const id = createHash('sha256').update(objects.location).digest('hex').slice(0, 16)
    const service = await startApiService({
      objects,
      speedStore,
      routes,
      cacheDir: options.cacheDir ?? join(tmpdir(), 'sluice-serve', `${id}-${process.pid}`),
      http: options.http,
      refreshMs: options.refreshMs,
      graphiql: options.graphiql,
      ...(options.responseCacheMs === undefined
        ? {}
        : { responseCacheMs: options.responseCacheMs }),
      limits: {
        ...(options.rateLimit === undefined
          ? {}
          : { ratePerSecond: options.rateLimit, burst: 2 * options.rateLimit }),
        ...(options.maxConcurrent === undefined ? {} : { maxConcurrent: options.maxConcurrent }),
        ...(options.maxLive === undefined ? {} : { maxLive: options.maxLive }),
      },
      ...(options.maxStreams === undefined ? {} : { maxStreamsPerKey: options.maxStreams }),
      ...(options.compileThreads === undefined ? {} : { compileThreads: options.compileThreads }),
      ...(options.corsOrigins === undefined ? {} : { corsOrigins: options.corsOrigins }),
      ...(replayQueue === undefined ? {} : { replayQueue }),
      ...(matches === undefined ? {} : { matches }),
      ...(handoff === undefined ? {} : { handoff }),
      ...(options.recordingSettleMs === undefined
        ? {}
        : { recordingSettleMs: options.recordingSettleMs }),
      ...(options.maxRecordings === undefined ? {} : { maxRecordings: options.maxRecordings }),
      ...(options.replayWorkers === undefined ? {} : { replayWorkers: options.replayWorkers }),
      log,
    })
    log('api_listening', {
      url: `${service.url}/graphql`,
      console: `${service.url}/console/`,
      store: objects.location,
      speedStore: speedStore.location,
      batchVersion: service.batch.version,
    })
    await options.stopped
    await service.close()
  } finally {
    await replayQueue?.close()
    await handoff?.close()
    await matches?.close()
    await speedStore.close()
  }
}
