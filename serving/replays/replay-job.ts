import { CsdlCompileError, StreamCatalog, type CompiledDefinition } from '../../query-dsl/index.js'
import {
  isPartitionType,
  partsFor,
  readMasterSnapshot,
  type MasterSnapshot,
} from '../../schemas/index.js'
import { listAll, type JobQueue, type ObjectStore } from '../../schemas/ports/index.js'
import {
  isReplayId,
  newReplayId,
  replayCancelledKey,
  replayJobKey,
  replayActiveKey,
  replayOwnerKey,
} from './replay-layout.js'
import { finishReplay } from './replay-output.js'
import type { ReplayJob, ReplayPartition, ReplayRequest, ReplayTask } from './replay-types.js'

export type { ReplayJob, ReplayPartition, ReplayRequest, ReplayTask } from './replay-types.js'

export const replayTaskId = (t: ReplayTask): string => `${t.replay}.${t.date}.${t.type}`

export type ReplayErrorCode = 'BAD_USER_INPUT' | 'CSDL_INVALID' | 'NOT_FOUND'

/** A replay that cannot be made or found as asked; the message says what to change. */
export class ReplayError extends Error {
  override readonly name = 'ReplayError'
  constructor(
    readonly code: ReplayErrorCode,
    message: string,
  ) {
    super(message)
  }
}

export const DEFAULT_CHUNK_RECORDS = 50_000

/** Checks a request's range and types; throws {@link ReplayError} saying what to change. */
/** The longest name a replay or a recording may have. */
export const MAX_JOB_NAME_LENGTH = 200

export function checkReplayRequest(request: ReplayRequest): void {
  if (!Number.isFinite(request.from) || !Number.isFinite(request.to))
    throw new ReplayError('BAD_USER_INPUT', 'from and to must be times')
  if (request.from >= request.to) throw new ReplayError('BAD_USER_INPUT', 'to must be after from')
  if (request.name !== undefined && request.name.length > MAX_JOB_NAME_LENGTH)
    throw new ReplayError(
      'BAD_USER_INPUT',
      `a replay's name may have ${MAX_JOB_NAME_LENGTH} characters; this one has ${request.name.length}`,
    )
  for (const t of request.types ?? [])
    if (!isPartitionType(t))
      throw new ReplayError('BAD_USER_INPUT', `"${t.slice(0, 100)}" is not an interaction type`)
}

/** Compiles a replay's filter against the registered streams it may refer to. */
export async function compileReplayFilter(
  store: ObjectStore,
  csdl: string,
): Promise<CompiledDefinition> {
  const result = await new StreamCatalog(store).validate(csdl)
  if (!result.ok) throw new CsdlCompileError(result.diagnostics)
  return result.definition
}

/** The (type, day) partitions of `snapshot` that hold rows of `[from, to)`, oldest first. */
export function replayPartitions(
  snapshot: MasterSnapshot,
  request: Pick<ReplayRequest, 'from' | 'to' | 'types'>,
): ReplayPartition[] {
  const byName = new Map<string, { type: string; date: string; rows: number; parts: number }>()
  for (const part of partsFor(snapshot, { ...request, columns: [] })) {
    // A part lies in one day's partition; its time bounds were checked against the range.
    const name = `${part.date}/${part.type}`
    const p = byName.get(name) ?? { type: part.type, date: part.date, rows: 0, parts: 0 }
    p.rows += part.rows
    p.parts++
    byName.set(name, p)
  }
  return [...byName.values()].sort(
    (a, b) => a.date.localeCompare(b.date) || a.type.localeCompare(b.type),
  )
}

/**
 * Plans a replay over the latest master version, stores it, and queues one task per
 * partition. A replay with no partitions is finished by `finish` at once (an empty manifest).
 */
export async function createReplay(
  store: ObjectStore,
  queue: JobQueue<ReplayTask>,
  request: ReplayRequest,
  options: {
    chunkRecords?: number
    now?: () => Date
    /** The request's filter compiled already (else compiled here against every stream). */
    definition?: CompiledDefinition
  } = {},
): Promise<ReplayJob> {
  checkReplayRequest(request)
  const definition = options.definition ?? (await compileReplayFilter(store, request.csdl))
  const snapshot = await readMasterSnapshot(store)
  const job: ReplayJob = {
    ...request,
    id: newReplayId(),
    hash: definition.hash,
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    masterVersion: snapshot.version,
    partitions: replayPartitions(snapshot, request),
    chunkRecords: options.chunkRecords ?? DEFAULT_CHUNK_RECORDS,
  }
  await store.put(replayJobKey(job.id), new TextEncoder().encode(JSON.stringify(job)))
  await store.put(replayOwnerKey(job.owner, job.id), new Uint8Array())
  await store.put(replayActiveKey(job.id), new Uint8Array())
  const tasks = job.partitions.map((p) => ({ replay: job.id, type: p.type, date: p.date }))
  await queue.add(tasks.map((data) => ({ id: replayTaskId(data), data })))
  // Nothing to scan: the replay is done, with no chunks.
  if (tasks.length === 0) await finishReplay(store, job)
  return job
}

/** The stored replay `id`, or undefined. */
export async function readReplayJob(
  store: ObjectStore,
  id: string,
): Promise<ReplayJob | undefined> {
  if (!isReplayId(id)) return undefined
  const bytes = await store.get(replayJobKey(id))
  return bytes === undefined
    ? undefined
    : (JSON.parse(new TextDecoder().decode(bytes)) as ReplayJob)
}

/** Every replay of `owner`, newest first. */
export async function listReplayJobs(store: ObjectStore, owner: string): Promise<ReplayJob[]> {
  const out: ReplayJob[] = []
  const prefix = replayOwnerKey(owner, '')
  for await (const o of listAll(store, prefix)) {
    const job = await readReplayJob(store, o.key.slice(prefix.length))
    if (job?.owner === owner) out.push(job)
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id))
}

/** Marks a replay cancelled: workers stop its tasks at their next check. */
export async function cancelReplay(
  store: ObjectStore,
  id: string,
  now = new Date(),
): Promise<void> {
  await store.put(
    replayCancelledKey(id),
    new TextEncoder().encode(JSON.stringify({ cancelledAt: now.toISOString() })),
  )
  await store.delete(replayActiveKey(id))
}
