import { isJsonObject } from '../schemas/index.js'
import { listAll, type ObjectStore } from '../schemas/ports/index.js'
import type { CompileResult } from './compile.js'
import { CsdlCompileError } from './diagnostics.js'
import type { CompiledDefinition } from './filter-expr.js'
import { isStreamHash } from './stream-hash.js'
import { compileInScope, StreamRegistry, type ReferenceScope } from './stream-registry.js'

/** The stream every deployment has: every interaction (each has an id). */
export const ALL_INTERACTIONS_CSDL = 'interaction.id exists'
export const ALL_INTERACTIONS_NAME = 'all interactions'
/** The owner of streams Sluice itself keeps. */
export const SYSTEM_OWNER = 'system'
export const STREAMS_PREFIX = 'streams/'

/**
 * A registered stream: a compiled CSDL filter named by its hash. Several owners may register the
 * same filter (the same hash); they share its views, each under a name of their own.
 */
export interface StreamRecord {
  readonly hash: string
  readonly csdl: string
  readonly dpu: number
  readonly createdAt: string
  /** Owner → the name that owner gave the stream. */
  readonly owners: Readonly<Record<string, string>>
  /**
   * Owners who let every key refer to the stream (`stream "<hash>"`, `tags "<hash>"`); absent:
   * only its owners may.
   */
  readonly sharedBy?: readonly string[]
}

/** What a filter compiled elsewhere (a worker thread) left to register: its hash and cost. */
export interface CompiledSummary {
  readonly hash: string
  readonly dpu: number
}

/**
 * Whether `owner` may refer to `record` in a filter of theirs: they own it, Sluice keeps it, or
 * one of its owners shares it. Anything else answers as if the stream did not exist.
 */
export function mayReference(record: StreamRecord, owner: string | undefined): boolean {
  if (owner === undefined || owner in record.owners || SYSTEM_OWNER in record.owners) return true
  return (record.sharedBy ?? []).some((o) => o in record.owners)
}

/** A stream the catalog cannot find for the caller. */
export class StreamNotFoundError extends Error {
  override readonly name = 'StreamNotFoundError'
  constructor(readonly hash: string) {
    super(`no stream ${hash}`)
  }
}

const REFERENCE = /\b(?:stream|tags)\s+"([0-9a-fA-F]{32})"/gi

/** The hashes `csdl` may refer to through `stream "…"` and `tags "…"`. */
function referencedHashes(csdl: string): string[] {
  return [...csdl.matchAll(REFERENCE)].map((m) => (m[1] as string).toLowerCase())
}

const keyOf = (hash: string): string => `${STREAMS_PREFIX}${hash}.json`

function parseRecord(bytes: Uint8Array): StreamRecord | undefined {
  const value: unknown = JSON.parse(new TextDecoder().decode(bytes))
  if (!isJsonObject(value)) return undefined
  const { hash, csdl, dpu, createdAt, owners } = value
  if (
    typeof hash !== 'string' ||
    typeof csdl !== 'string' ||
    typeof dpu !== 'number' ||
    typeof createdAt !== 'string' ||
    !isJsonObject(owners)
  )
    return undefined
  const names: Record<string, string> = {}
  for (const [owner, name] of Object.entries(owners))
    if (typeof name === 'string') names[owner] = name
  const sharedBy = Array.isArray(value['sharedBy'])
    ? value['sharedBy'].filter((o): o is string => typeof o === 'string')
    : []
  return { hash, csdl, dpu, createdAt, owners: names, ...(sharedBy.length > 0 ? { sharedBy } : {}) }
}

/**
 * The registered streams, persisted in the object store under `streams/<hash>.json`, shared by
 * the batch and speed layers and the API. The "all interactions" stream is always there.
 * Writes are last-writer-wins per stream: the API is the only writer of the catalog.
 */
export class StreamCatalog {
  constructor(
    private readonly store: ObjectStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private async write(record: StreamRecord): Promise<void> {
    await this.store.put(keyOf(record.hash), new TextEncoder().encode(JSON.stringify(record)))
  }

  /** One stream, or undefined. */
  async get(hash: string): Promise<StreamRecord | undefined> {
    if (!isStreamHash(hash)) return undefined
    const bytes = await this.store.get(keyOf(hash.toLowerCase()))
    return bytes === undefined ? undefined : parseRecord(bytes)
  }

  /** Every stream (the owner's own when `owner` is given), oldest first. */
  async list(owner?: string): Promise<StreamRecord[]> {
    await this.ensureAllInteractions()
    const out: StreamRecord[] = []
    for await (const object of listAll(this.store, STREAMS_PREFIX)) {
      const bytes = await this.store.get(object.key)
      const record = bytes === undefined ? undefined : parseRecord(bytes)
      if (record !== undefined && (owner === undefined || owner in record.owners)) out.push(record)
    }
    return out.sort(
      (a, b) => a.createdAt.localeCompare(b.createdAt) || a.hash.localeCompare(b.hash),
    )
  }

  /** A registry holding every stream, so definitions can refer to one another by hash. */
  async registry(): Promise<StreamRegistry> {
    const registry = new StreamRegistry()
    const records = await this.list()
    registry.defineAll(Object.fromEntries(records.map((r) => [r.hash, r.csdl])))
    return registry
  }

  /** Every stream compiled, for a FilterSet. */
  async definitions(): Promise<CompiledDefinition[]> {
    const registry = await this.registry()
    const out: CompiledDefinition[] = []
    for (const record of await this.list()) {
      const def = registry.get(record.hash)
      if (def !== undefined) out.push(def)
    }
    return out
  }

  /**
   * Compiles `csdl` against the registered streams it refers to, registering nothing. With an
   * `owner`, only streams {@link mayReference} lets them use resolve; another key's stream is
   * reported exactly as a missing one.
   */
  async validate(csdl: string, owner?: string): Promise<CompileResult> {
    return compileInScope(csdl, await this.scopeFor(csdl, owner))
  }

  /**
   * Registers `csdl` for `owner` under `name`: compiles it against the registered streams the
   * owner may refer to (throws {@link CsdlCompileError} with positioned diagnostics), and adds
   * the owner to the stream of that hash, creating it when new.
   */
  async create(csdl: string, name: string, owner: string): Promise<StreamRecord> {
    const result = await this.validate(csdl, owner)
    if (!result.ok) throw new CsdlCompileError(result.diagnostics)
    return this.register(
      csdl,
      { hash: result.definition.hash, dpu: result.definition.dpu.total },
      name,
      owner,
    )
  }

  /**
   * Adds `owner` to the stream of a filter already compiled (within {@link scopeFor} the same
   * owner), creating it when new.
   */
  async register(
    csdl: string,
    compiled: CompiledSummary,
    name: string,
    owner: string,
  ): Promise<StreamRecord> {
    const existing = await this.get(compiled.hash)
    const record: StreamRecord = {
      hash: compiled.hash,
      csdl: existing?.csdl ?? csdl,
      dpu: compiled.dpu,
      createdAt: existing?.createdAt ?? this.now().toISOString(),
      owners: { ...(existing?.owners ?? {}), [owner]: name },
      ...(existing?.sharedBy === undefined ? {} : { sharedBy: existing.sharedBy }),
    }
    await this.write(record)
    return record
  }

  /**
   * Lets every key refer to `owner`'s stream `hash` in filters of theirs, or stops letting them
   * (filters registered meanwhile keep working). Throws {@link StreamNotFoundError}.
   */
  async share(hash: string, owner: string, shared: boolean): Promise<StreamRecord> {
    const record = await this.get(hash)
    if (record === undefined || !(owner in record.owners)) throw new StreamNotFoundError(hash)
    const others = (record.sharedBy ?? []).filter((o) => o !== owner)
    const sharedBy = shared ? [...others, owner] : others
    const { sharedBy: _, ...rest } = record
    const updated: StreamRecord = sharedBy.length === 0 ? rest : { ...rest, sharedBy }
    await this.write(updated)
    return updated
  }

  /**
   * Removes `owner`'s registration of `hash`; the stream goes when no owner is left (its views
   * then expire with the next batch version). Throws {@link StreamNotFoundError} when the owner
   * has no such stream, so one owner cannot learn of another's.
   */
  async delete(hash: string, owner: string): Promise<void> {
    const record = await this.get(hash)
    if (record === undefined || !(owner in record.owners)) throw new StreamNotFoundError(hash)
    const owners = Object.fromEntries(Object.entries(record.owners).filter(([o]) => o !== owner))
    if (Object.keys(owners).length === 0) await this.store.delete(keyOf(record.hash))
    else await this.write({ ...record, owners })
  }

  /**
   * What compiling `csdl` needs: the definitions it refers to, directly or through them, by
   * hash (a few reads instead of a compile of the whole catalog), and with an `owner`, which of
   * them the filter may name itself: those {@link mayReference} lets the owner use. The scan may
   * over-match (a hash-like string inside a literal); that only defines a stream that goes unused.
   */
  async scopeFor(csdl: string, owner?: string): Promise<ReferenceScope> {
    const records = new Map<string, StreamRecord>()
    const direct = new Set(referencedHashes(csdl))
    const queue = [...direct]
    for (let hash = queue.pop(); hash !== undefined; hash = queue.pop()) {
      if (records.has(hash)) continue
      const record = await this.get(hash)
      if (record === undefined) continue
      records.set(hash, record)
      queue.push(...referencedHashes(record.csdl))
    }
    const definitions = Object.fromEntries([...records].map(([hash, r]) => [hash, r.csdl]))
    if (owner === undefined) return { definitions }
    const usable = [...direct].filter((hash) => {
      const record = records.get(hash)
      return record !== undefined && mayReference(record, owner)
    })
    return { definitions, usable }
  }

  private async ensureAllInteractions(): Promise<void> {
    const registry = new StreamRegistry()
    const result = registry.register(ALL_INTERACTIONS_CSDL)
    if (!result.ok) throw new CsdlCompileError(result.diagnostics)
    const hash = result.definition.hash
    const existing = await this.get(hash)
    if (existing !== undefined && SYSTEM_OWNER in existing.owners) return
    await this.write({
      hash,
      csdl: ALL_INTERACTIONS_CSDL,
      dpu: result.definition.dpu.total,
      createdAt: existing?.createdAt ?? new Date(0).toISOString(),
      owners: { ...(existing?.owners ?? {}), [SYSTEM_OWNER]: ALL_INTERACTIONS_NAME },
    })
  }
}
