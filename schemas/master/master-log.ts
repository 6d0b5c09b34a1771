import { listAll, type ObjectStore } from '../ports/object-store.js'
import { isJsonObject } from '../normalize/json-value.js'
import { checkpointKey, commitKey, MASTER_LOG_PREFIX, parseLogKey } from './master-layout.js'

/** A published Parquet part: where it is and what a reader needs to decide to skip it. */
export interface PartEntry {
  readonly key: string
  readonly type: string
  readonly date: string
  readonly rows: number
  readonly bytes: number
  /** Bounds of `interaction.created_at` in the part (epoch ms). */
  readonly createdAtMin: number
  readonly createdAtMax: number
}

export type MasterOperation = 'shred' | 'compact' | 'vacuum'

/**
 * One atomic change of the master dataset. Parts are written first; a commit object then
 * publishes them (and retires the parts a compaction replaced) in one put, so a reader sees a
 * run's parts all at once or not at all.
 */
export interface MasterCommit {
  readonly version: number
  readonly committedAt: string
  readonly operation: MasterOperation
  readonly add: readonly PartEntry[]
  readonly remove: readonly string[]
  /** Retired parts whose files a vacuum deleted: readers no longer need to know them. */
  readonly forget: readonly string[]
  /** What the change was made from (raw segments, or the parts a compaction merged). */
  readonly inputs: readonly string[]
  /**
   * Receipt progress (epoch ms): every record the collectors received before it is in the
   * dataset as of this commit (see `receivedThroughOf` in the shredder). Absent: unchanged.
   */
  readonly receivedThrough?: number
}

/** The master dataset at one version: its published parts, and the retired ones not yet deleted. */
export interface MasterSnapshot {
  /** 0 for an empty dataset. */
  readonly version: number
  readonly parts: ReadonlyMap<string, PartEntry>
  /** Retired part key → when it was retired (epoch ms); its file stays for readers in flight. */
  readonly retired: ReadonlyMap<string, number>
  /**
   * Every record received before this time (epoch ms) is in the dataset: the batch boundary is
   * derived from it, never from the records' own timestamps. Absent in a dataset written before
   * receipt progress was recorded.
   */
  readonly receivedThrough?: number
}

export const EMPTY_SNAPSHOT: MasterSnapshot = { version: 0, parts: new Map(), retired: new Map() }

// A checkpoint every so many commits keeps opening the dataset to one object plus a short tail.
const CHECKPOINT_EVERY = 20

/** The commit log is unreadable or inconsistent (a missing or malformed object). */
export class MasterLogError extends Error {
  override readonly name = 'MasterLogError'
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`master log ${key}: ${reason}`)
  }
}

/**
 * Another writer published the version this one was about to write. The master dataset takes
 * one writer at a time (the object store port has no conditional write to arbitrate more).
 */
export class MasterConflictError extends Error {
  override readonly name = 'MasterConflictError'
  constructor(readonly version: number) {
    super(
      `master version ${version} was committed by another writer; run one shredder at a time and retry`,
    )
  }
}

const decoder = new TextDecoder()

async function readJson(store: ObjectStore, key: string): Promise<Record<string, unknown>> {
  const bytes = await store.get(key)
  if (bytes === undefined) throw new MasterLogError(key, 'missing')
  let value: unknown
  try {
    value = JSON.parse(decoder.decode(bytes))
  } catch {
    throw new MasterLogError(key, 'not valid JSON')
  }
  if (!isJsonObject(value)) throw new MasterLogError(key, 'not a JSON object')
  return value
}

function isPartEntry(v: unknown): v is PartEntry {
  if (!isJsonObject(v)) return false
  return (
    typeof v['key'] === 'string' &&
    typeof v['type'] === 'string' &&
    typeof v['date'] === 'string' &&
    typeof v['rows'] === 'number' &&
    typeof v['bytes'] === 'number' &&
    typeof v['createdAtMin'] === 'number' &&
    typeof v['createdAtMax'] === 'number'
  )
}

const isStringArray = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string')

function parseCommit(key: string, o: Record<string, unknown>): MasterCommit {
  const { version, committedAt, operation, add, remove, forget, inputs, receivedThrough } = o
  if (
    (receivedThrough !== undefined && typeof receivedThrough !== 'number') ||
    typeof version !== 'number' ||
    typeof committedAt !== 'string' ||
    (operation !== 'shred' && operation !== 'compact' && operation !== 'vacuum') ||
    !Array.isArray(add) ||
    !add.every(isPartEntry) ||
    !isStringArray(remove) ||
    !isStringArray(forget) ||
    !isStringArray(inputs)
  )
    throw new MasterLogError(key, 'not a commit')
  return {
    version,
    committedAt,
    operation,
    add,
    remove,
    forget,
    inputs,
    ...(typeof receivedThrough === 'number' ? { receivedThrough } : {}),
  }
}

/** The snapshot after `commit`. */
export function applyCommit(base: MasterSnapshot, commit: MasterCommit): MasterSnapshot {
  const parts = new Map(base.parts)
  const retired = new Map(base.retired)
  const at = Date.parse(commit.committedAt)
  for (const key of commit.remove) if (parts.delete(key)) retired.set(key, at)
  for (const part of commit.add) {
    parts.set(part.key, part)
    retired.delete(part.key)
  }
  for (const key of commit.forget) retired.delete(key)
  const receivedThrough = commit.receivedThrough ?? base.receivedThrough
  return {
    version: commit.version,
    parts,
    retired,
    ...(receivedThrough === undefined ? {} : { receivedThrough }),
  }
}

function parseCheckpoint(key: string, o: Record<string, unknown>): MasterSnapshot {
  const { version, parts, retired, receivedThrough } = o
  if (
    (receivedThrough !== undefined && typeof receivedThrough !== 'number') ||
    typeof version !== 'number' ||
    !Array.isArray(parts) ||
    !parts.every(isPartEntry) ||
    !Array.isArray(retired)
  )
    throw new MasterLogError(key, 'not a checkpoint')
  const retiredMap = new Map<string, number>()
  for (const r of retired as unknown[]) {
    if (!Array.isArray(r) || typeof r[0] !== 'string' || typeof r[1] !== 'number')
      throw new MasterLogError(key, 'not a checkpoint')
    retiredMap.set(r[0], r[1])
  }
  return {
    version,
    parts: new Map(parts.map((p) => [p.key, p])),
    retired: retiredMap,
    ...(typeof receivedThrough === 'number' ? { receivedThrough } : {}),
  }
}

/**
 * The latest published state of the master dataset (or the state at `atVersion`, for workers
 * that must read what their coordinator read): the newest checkpoint plus the commits after it. A reader takes one snapshot and reads exactly its parts, so a shred or compaction
 * running meanwhile never shows it a partial change.
 */
export async function readMasterSnapshot(
  store: ObjectStore,
  options: { readonly atVersion?: number } = {},
): Promise<MasterSnapshot> {
  const limit = options.atVersion ?? Infinity
  const commits: number[] = []
  let checkpoint = 0
  for await (const object of listAll(store, MASTER_LOG_PREFIX)) {
    const parsed = parseLogKey(object.key)
    if (parsed === undefined || parsed.version > limit) continue
    if (parsed.kind === 'commit') commits.push(parsed.version)
    else checkpoint = Math.max(checkpoint, parsed.version)
  }
  const latest = commits.reduce((a, b) => Math.max(a, b), 0)
  if (options.atVersion !== undefined && latest !== options.atVersion)
    throw new MasterLogError(commitKey(options.atVersion), 'no such version')
  if (checkpoint > latest) checkpoint = 0
  let snapshot =
    checkpoint === 0
      ? EMPTY_SNAPSHOT
      : parseCheckpoint(checkpointKey(checkpoint), await readJson(store, checkpointKey(checkpoint)))
  for (let version = snapshot.version + 1; version <= latest; version++) {
    const key = commitKey(version)
    const commit = parseCommit(key, await readJson(store, key))
    if (commit.version !== version) throw new MasterLogError(key, `holds version ${commit.version}`)
    snapshot = applyCommit(snapshot, commit)
  }
  return snapshot
}

/** What a writer changes in one commit. */
export interface MasterChange {
  readonly operation: MasterOperation
  readonly add?: readonly PartEntry[]
  readonly remove?: readonly string[]
  readonly forget?: readonly string[]
  readonly inputs?: readonly string[]
  readonly receivedThrough?: number
}

/**
 * Publishes `change` on top of `base` as the next version and returns the new snapshot. The
 * parts it adds must already be in the store. Throws {@link MasterConflictError} when the
 * version exists already (another writer got there first).
 */
export async function commitMaster(
  store: ObjectStore,
  base: MasterSnapshot,
  change: MasterChange,
  now: Date = new Date(),
): Promise<MasterSnapshot> {
  const version = base.version + 1
  const key = commitKey(version)
  if ((await store.head(key)) !== undefined) throw new MasterConflictError(version)
  const commit: MasterCommit = {
    version,
    committedAt: now.toISOString(),
    operation: change.operation,
    add: change.add ?? [],
    remove: change.remove ?? [],
    forget: change.forget ?? [],
    inputs: change.inputs ?? [],
    ...(change.receivedThrough === undefined ? {} : { receivedThrough: change.receivedThrough }),
  }
  await store.put(key, new TextEncoder().encode(JSON.stringify(commit)))
  const next = applyCommit(base, commit)
  if (version % CHECKPOINT_EVERY === 0) {
    const body = {
      version,
      parts: [...next.parts.values()],
      retired: [...next.retired.entries()],
      ...(next.receivedThrough === undefined ? {} : { receivedThrough: next.receivedThrough }),
    }
    await store.put(checkpointKey(version), new TextEncoder().encode(JSON.stringify(body)))
  }
  return next
}
