import { createHash } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import {
  compileInScope,
  CsdlCompileError,
  type CompiledDefinition,
  type ReferenceScope,
  type StreamCatalog,
  type StreamRecord,
} from '../../query-dsl/index.js'
import { FairQueue } from './fair-queue.js'
import { IN_PROCESS_COMPILER, type FilterCheck, type FilterCompiler } from './filter-compiler.js'

/** A key asked for more streams, or a longer name, than a key may have. */
export class StreamLimitError extends Error {
  override readonly name = 'StreamLimitError'
}

export interface FilterServiceOptions {
  /** Where filters are compiled (default: in this process). */
  readonly compiler?: FilterCompiler
  /** Compiles at once (the compiler's threads). */
  readonly concurrency?: number
  /** Compiles one key may have waiting (default 8); more are refused. */
  readonly maxWaitingPerKey?: number
  /** Streams one key may register (default 200). */
  readonly maxStreamsPerKey?: number
  /** Longest stream name, in characters (default 200). */
  readonly maxNameLength?: number
}

// Enough for every filter a busy console session types, and for the definitions being previewed.
const CHECKS_KEPT = 2_000
const DEFINITIONS_KEPT = 200

/**
 * Every filter a caller sends (validate, create, preview, replay) is compiled here, for that
 * caller: it may refer only to streams it owns or that are shared ({@link mayReference}), and
 * another key's stream reads as missing. Checks are cached by the filter's text and what it
 * refers to, so the same filter sent a hundred times (or as a hundred aliases) compiles once;
 * compiles take turns between keys, a few waiting per key at most.
 */
export class FilterService {
  private readonly checks = new LRUCache<string, Promise<FilterCheck>>({ max: CHECKS_KEPT })
  private readonly definitions = new LRUCache<string, CompiledDefinition>({ max: DEFINITIONS_KEPT })
  private readonly queue: FairQueue
  private readonly compiler: FilterCompiler

  constructor(
    private readonly catalog: StreamCatalog,
    private readonly options: FilterServiceOptions = {},
  ) {
    this.compiler = options.compiler ?? IN_PROCESS_COMPILER
    this.queue = new FairQueue(options.concurrency ?? 1, options.maxWaitingPerKey ?? 8)
  }

  /** Compiles `csdl` for `owner` (cached), registering nothing. */
  async check(owner: string, csdl: string): Promise<FilterCheck> {
    return (await this.checked(owner, csdl)).check
  }

  private async checked(
    owner: string,
    csdl: string,
  ): Promise<{ check: FilterCheck; id: string; scope: ReferenceScope }> {
    const scope = await this.catalog.scopeFor(csdl, owner)
    const id = createHash('sha256')
      .update(csdl)
      .update('\0')
      .update(JSON.stringify(scope))
      .digest('hex')
    let pending = this.checks.get(id)
    if (pending === undefined) {
      const started = this.queue.run(owner, () => this.compiler.check(csdl, scope))
      pending = started
      this.checks.set(id, started)
      started.catch(() => {
        if (this.checks.get(id) === started) this.checks.delete(id)
      })
    }
    return { check: await pending, id, scope }
  }

  /**
   * The compiled filter, for running it in this process (previews, estimates); throws
   * {@link CsdlCompileError}. Checked first where the compiler runs, so a filter that does not
   * compile never costs this thread; kept by hash for the next caller.
   */
  async definition(owner: string, csdl: string): Promise<CompiledDefinition> {
    const { check, id, scope } = await this.checked(owner, csdl)
    if (!check.ok) throw new CsdlCompileError(check.diagnostics)
    const known = this.definitions.get(id)
    if (known !== undefined) return known
    const result = compileInScope(csdl, scope)
    if (!result.ok) throw new CsdlCompileError(result.diagnostics)
    this.definitions.set(id, result.definition)
    return result.definition
  }

  /**
   * Registers `csdl` as `owner`'s stream `name`; throws {@link CsdlCompileError}, or
   * {@link StreamLimitError} past the name length or the streams a key may have.
   */
  async createStream(owner: string, csdl: string, name: string): Promise<StreamRecord> {
    const maxName = this.options.maxNameLength ?? 200
    if (name.length > maxName)
      throw new StreamLimitError(
        `a stream name may have ${maxName} characters; this one has ${name.length}`,
      )
    const check = await this.check(owner, csdl)
    if (!check.ok) throw new CsdlCompileError(check.diagnostics)
    const maxStreams = this.options.maxStreamsPerKey ?? 200
    const own = await this.catalog.list(owner)
    if (own.length >= maxStreams && !own.some((r) => r.hash === check.hash))
      throw new StreamLimitError(
        `a key may have ${maxStreams} streams and this one has ${own.length}; delete some first`,
      )
    return this.catalog.register(csdl, { hash: check.hash, dpu: check.dpu }, name, owner)
  }

  close(): Promise<void> {
    return this.compiler.close()
  }
}
