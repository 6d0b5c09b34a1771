import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { SingleBar } from 'cli-progress'
import { ApiCallError, ApiClient } from './api-client.js'
import { closeWithin } from './bounded-close.js'
import {
  cancelReplay,
  createReplay,
  readReplayManifest,
  ReplayStatusReader,
  ReplayWorker,
  type ReplayFormat,
  type ReplayTask,
} from '../../serving/index.js'
import { openJobQueue } from '../adapters/open-job-queue.js'
import { openObjectStore } from '../adapters/open-object-store.js'
import { ConfigError, requireSharedQueue } from '../config/config-error.js'
import type { QueueConfig, StoreConfig } from '../config/adapter-urls.js'

export const REPLAY_QUEUE = 'replays'
const POLL_MS = 250

/** Where a replay stands, as both the local and the remote runs see it. */
interface Progress {
  readonly state: string
  readonly partitionsDone: number
  readonly partitionsTotal: number
  readonly rowsScanned: number
  readonly rowsTotal: number
  readonly matches: number
  readonly rowsPerSecond: number
  readonly reason: string | null
  /** Ready chunks: file name and how to fetch its bytes. */
  readonly chunks: readonly { name: string; fetch: () => Promise<Uint8Array> }[]
  readonly manifest?: () => Promise<Uint8Array>
}

export interface ReplayCommandOptions {
  readonly csdl: string
  readonly from: number
  readonly to: number
  readonly types?: readonly string[]
  readonly format: ReplayFormat
  readonly out: string
  readonly progress: boolean
  readonly stdout: Writable
  readonly stderr: Writable
  /** Resolves on SIGINT/SIGTERM: the replay is cancelled. */
  readonly stopped: Promise<void>
}

function progressBar(stderr: Writable) {
  const bar = new SingleBar({
    stream: stderr,
    format:
      'replay [{bar}] {percentage}% | {partitions} partitions | {rows} rows | {matches} matches | {rate} rows/s | ETA {eta_formatted}',
    hideCursor: true,
    clearOnComplete: false,
  })
  let started = false
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
  return {
    update(p: Progress): void {
      const payload = {
        partitions: `${p.partitionsDone}/${p.partitionsTotal}`,
        rows: fmt(p.rowsScanned),
        matches: fmt(p.matches),
        rate: fmt(p.rowsPerSecond),
      }
      // Rows of the partitions' parts: scanned rows reach it exactly when every task is done.
      const total = Math.max(1, p.rowsTotal)
      const value = Math.min(total, p.state === 'done' ? total : p.rowsScanned)
      if (!started) bar.start(total, value, payload)
      else bar.update(value, payload)
      started = true
    },
    stop(): void {
      if (started) bar.stop()
    },
  }
}

/**
 * Follows a replay to its end: copies each chunk to `out` as soon as it is ready (so the first
 * days can be read while the rest runs), shows progress, cancels it on a signal.
 */
async function follow(
  options: ReplayCommandOptions,
  poll: () => Promise<Progress>,
  cancel: () => Promise<void>,
): Promise<Progress> {
  await mkdir(options.out, { recursive: true })
  const bar = options.progress ? progressBar(options.stderr) : undefined
  let stop = false
  void options.stopped.then(() => (stop = true))
  const copied = new Set<string>()
  let p: Progress
  for (;;) {
    p = await poll()
    for (const chunk of p.chunks)
      if (!copied.has(chunk.name)) {
        await writeFile(join(options.out, chunk.name), await chunk.fetch())
        copied.add(chunk.name)
      }
    bar?.update(p)
    if (p.state === 'done' || p.state === 'failed' || p.state === 'cancelled') break
    if (stop) {
      await cancel()
      stop = false
    }
    await sleep(POLL_MS)
  }
  bar?.stop()
  if (p.manifest !== undefined)
    await writeFile(join(options.out, 'manifest.json'), await p.manifest())
  options.stdout.write(
    [
      `replay:      ${p.state}${p.reason == null ? '' : ` (${p.reason})`}`,
      `partitions:  ${p.partitionsDone}/${p.partitionsTotal}`,
      `rows:        ${p.rowsScanned} scanned`,
      `matches:     ${p.matches}`,
      `output:      ${copied.size} chunks in ${options.out}`,
      '',
    ].join('\n'),
  )
  return p
}

/** `sluice replay`: runs a replay on this machine (workers in this process, and any others). */
export async function runLocalReplay(
  options: ReplayCommandOptions & {
    readonly store: StoreConfig
    readonly queue: QueueConfig
    readonly workers: number
  },
): Promise<string> {
  if (options.queue.kind === 'memory' && options.workers < 1)
    throw new ConfigError('--workers', '0', 'an in-process queue needs at least one worker here')
  const store = openObjectStore(options.store)
  const queue = openJobQueue<ReplayTask>(options.queue, REPLAY_QUEUE)
  const consumer =
    options.workers > 0
      ? new ReplayWorker(store).consume(queue, { concurrency: options.workers })
      : undefined
  try {
    const job = await createReplay(store, queue, {
      owner: 'cli',
      csdl: options.csdl,
      from: options.from,
      to: options.to,
      format: options.format,
      ...(options.types === undefined ? {} : { types: options.types }),
    })
    options.stderr.write(
      `replay ${job.id}: ${job.partitions.length} partitions of master version ${job.masterVersion}\n`,
    )
    const reader = new ReplayStatusReader(store)
    const bytes = async (key: string): Promise<Uint8Array> => {
      const body = await store.get(key)
      if (body === undefined) throw new Error(`replay output ${key} is missing`)
      return body
    }
    const p = await follow(
      options,
      async () => {
        const s = await reader.status(job)
        return {
          state: s.state,
          partitionsDone: s.partitionsDone,
          partitionsTotal: s.partitionsTotal,
          rowsScanned: s.rowsScanned,
          rowsTotal: s.rowsTotal,
          matches: s.matches,
          rowsPerSecond: s.rowsPerSecond,
          reason: s.reason ?? null,
          chunks: s.chunks.map((c) => ({
            name: c.key.slice(c.key.lastIndexOf('/') + 1),
            fetch: () => bytes(c.key),
          })),
          ...(s.manifest === undefined
            ? {}
            : {
                manifest: async () =>
                  new TextEncoder().encode(
                    JSON.stringify(await readReplayManifest(store, job.id), null, 2),
                  ),
              }),
        }
      },
      () => cancelReplay(store, job.id),
    )
    if (p.state === 'failed') throw new ReplayCommandError(job.id, p.reason ?? 'failed')
    return job.id
  } finally {
    await consumer?.close()
    await queue.close()
  }
}

/** A replay that ended in failure. */
export class ReplayCommandError extends Error {
  override readonly name = 'ReplayCommandError'
  constructor(
    readonly replay: string,
    readonly reason: string,
  ) {
    super(`replay ${replay} failed: ${reason}`)
  }
}

interface RemoteReplay {
  id: string
  state: string
  reason: string | null
  manifestUrl: string | null
  progress: {
    partitionsDone: number
    partitionsTotal: number
    rowsScanned: number
    rowsTotal: number
    matches: number
    rowsPerSecond: number
  }
  chunks: { url: string; name: string }[]
}

const REMOTE_FIELDS = `id state reason manifestUrl
  progress { partitionsDone partitionsTotal rowsScanned rowsTotal matches rowsPerSecond }
  chunks { url name }`

/** `sluice replay --api URL --key KEY`: the same through a remote stack's API. */
export async function runRemoteReplay(
  options: ReplayCommandOptions & { readonly api: string; readonly key: string },
): Promise<string> {
  const api = new ApiClient(options.api, options.key)
  const call = <T>(query: string, variables: Record<string, unknown>): Promise<T> =>
    api.call<T>(query, variables).catch((e: unknown) => {
      throw e instanceof ApiCallError ? new ConfigError('--api', api.base, e.reason) : e
    })
  const bytes = (path: string): Promise<Uint8Array> => api.bytes(path)
  const { createReplay: created } = await call<{ createReplay: RemoteReplay }>(
    `mutation($csdl: String, $from: DateTime!, $to: DateTime!, $types: [String!], $format: ReplayFormat) {
      createReplay(csdl: $csdl, from: $from, to: $to, types: $types, format: $format) { ${REMOTE_FIELDS} } }`,
    {
      csdl: options.csdl,
      from: new Date(options.from).toISOString(),
      to: new Date(options.to).toISOString(),
      types: options.types ?? null,
      format: options.format.toUpperCase(),
    },
  )
  options.stderr.write(`replay ${created.id} on ${api.base}\n`)
  const p = await follow(
    options,
    async () => {
      const { replay: r } = await call<{ replay: RemoteReplay }>(
        `query($id: ID!) { replay(id: $id) { ${REMOTE_FIELDS} } }`,
        { id: created.id },
      )
      return {
        state: r.state.toLowerCase(),
        reason: r.reason,
        ...r.progress,
        chunks: r.chunks.map((c) => ({ name: c.name, fetch: () => bytes(c.url) })),
        ...(r.manifestUrl === null ? {} : { manifest: () => bytes(r.manifestUrl as string) }),
      }
    },
    async () => {
      await call(`mutation($id: ID!) { cancelReplay(id: $id) { id } }`, { id: created.id })
    },
  )
  if (p.state === 'failed') throw new ReplayCommandError(created.id, p.reason ?? 'failed')
  return created.id
}

/** `sluice replay worker`: runs replay tasks from a shared queue until stopped. */
export async function runReplayWorker(options: {
  readonly store: StoreConfig
  readonly queue: QueueConfig
  readonly concurrency: number
  readonly stderr: Writable
  readonly stopped: Promise<void>
}): Promise<{ clean: boolean }> {
  requireSharedQueue(options.queue)
  const store = openObjectStore(options.store)
  const queue = openJobQueue<ReplayTask>(options.queue, REPLAY_QUEUE)
  const consumer = new ReplayWorker(store, (task, outcome) =>
    options.stderr.write(`replay worker: ${task.replay} ${task.type}/${task.date} ${outcome}\n`),
  ).consume(queue, { concurrency: options.concurrency })
  await options.stopped
  const clean = await closeWithin(async () => {
    await consumer.close()
    await queue.close()
  })
  if (!clean) options.stderr.write('replay worker: stopping without a clean close of the queue\n')
  return { clean }
}
