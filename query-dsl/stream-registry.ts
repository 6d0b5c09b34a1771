import { compile, type CompileResult, type DefinitionResolver, type Resolution } from './compile.js'
import type { CompiledDefinition } from './filter-expr.js'
import type { ParseLimits } from './parser.js'
import type { ListSource } from './value-predicates.js'

/**
 * Compiled definitions by hash: what `stream "<hash>"` and `tags "<hash>"` refer to (csdl.md §7,
 * §8.4). A definition can only refer to one already known, so cycles can arise only among
 * definitions given together (`defineAll`), where they are reported as errors.
 */
export class StreamRegistry implements DefinitionResolver {
  private readonly compiled = new Map<string, CompiledDefinition>()
  private readonly pending = new Map<string, string>()
  private readonly failed = new Map<string, CompileResult>()
  private readonly visiting: string[] = []
  private lastCycle: readonly string[] = []

  constructor(
    private readonly options: { readonly lists?: ListSource; readonly limits?: ParseLimits } = {},
  ) {}

  /**
   * Compiles a definition and, when it compiles, stores it under its hash (its canonical hash,
   * or `hash` when given). With `usable`, the definition itself may refer only to those hashes
   * (any other answers as missing); the definitions it refers to are not restricted.
   *
   * @example registry.register('interaction.content contains "rugby"')
   */
  register(source: string, hash?: string, usable?: ReadonlySet<string>): CompileResult {
    const resolver: DefinitionResolver =
      usable === undefined
        ? this
        : { resolve: (h) => (usable.has(h.toLowerCase()) ? this.resolve(h) : { kind: 'missing' }) }
    const result = compile(source, {
      ...this.options,
      resolver,
      ...(hash === undefined ? {} : { hash: hash.toLowerCase() }),
    })
    if (result.ok) this.compiled.set(result.definition.hash, result.definition)
    return result
  }

  /**
   * Defines several definitions under the hashes given, in any order: references among them
   * resolve, and a cycle is an error on every definition in it.
   */
  defineAll(sources: Readonly<Record<string, string>>): Map<string, CompileResult> {
    for (const [hash, source] of Object.entries(sources))
      this.pending.set(hash.toLowerCase(), source)
    const results = new Map<string, CompileResult>()
    for (const hash of Object.keys(sources).map((h) => h.toLowerCase())) {
      const r = this.resolve(hash)
      const def = this.compiled.get(hash)
      results.set(
        hash,
        def !== undefined && r.kind === 'found'
          ? { ok: true, definition: def }
          : (this.failed.get(hash) ?? { ok: false, diagnostics: [] }),
      )
    }
    return results
  }

  /** The compiled definition of a hash, compiling a pending one on demand. */
  resolve(hash: string): Resolution {
    const h = hash.toLowerCase()
    const known = this.compiled.get(h)
    if (known !== undefined) return { kind: 'found', definition: known }
    const source = this.pending.get(h)
    if (source === undefined) return { kind: 'missing' }
    if (this.visiting.includes(h)) {
      this.lastCycle = [...this.visiting.slice(this.visiting.indexOf(h)), h]
      return { kind: 'cycle', path: this.lastCycle }
    }
    this.visiting.push(h)
    try {
      const result = compile(source, { ...this.options, resolver: this, hash: h })
      if (!result.ok) {
        this.failed.set(h, result)
        this.pending.delete(h)
        const cycle = result.diagnostics.find((d) => d.code === 'stream_cycle')
        return cycle === undefined ? { kind: 'missing' } : { kind: 'cycle', path: this.lastCycle }
      }
      this.pending.delete(h)
      this.compiled.set(h, result.definition)
      return { kind: 'found', definition: result.definition }
    } finally {
      this.visiting.pop()
    }
  }

  get(hash: string): CompiledDefinition | undefined {
    return this.compiled.get(hash.toLowerCase())
  }

  /** Forgets a definition; definitions compiled against it keep their inlined copy. */
  remove(hash: string): boolean {
    return this.compiled.delete(hash.toLowerCase())
  }

  get size(): number {
    return this.compiled.size
  }
}

/**
 * What a filter may refer to: the definitions it reaches, by hash, and which of them it may name
 * itself (all when `usable` is absent). Plain data, so a compile can run in a worker thread.
 */
export interface ReferenceScope {
  readonly definitions: Readonly<Record<string, string>>
  readonly usable?: readonly string[]
}

/** Compiles `source` within `scope`, registering nothing anywhere. */
export function compileInScope(source: string, scope: ReferenceScope): CompileResult {
  const registry = new StreamRegistry()
  registry.defineAll(scope.definitions)
  return registry.register(
    source,
    undefined,
    scope.usable === undefined ? undefined : new Set(scope.usable),
  )
}
