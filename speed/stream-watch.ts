import { FilterSet, type CompiledDefinition } from '../query-dsl/index.js'

/** Where the registered streams come from (the stream catalog). */
export interface StreamSource {
  definitions(): Promise<CompiledDefinition[]>
}

/**
 * The shared filter plan of the registered streams, kept current: `refresh` adds streams
 * registered since and removes deleted ones in place, so workers pick them up without a restart.
 */
export class WatchedStreams {
  readonly set = new FilterSet()
  private readonly hashes = new Set<string>()

  constructor(private readonly source: StreamSource) {}

  /** Reads the catalog; returns how many streams were added and removed. */
  async refresh(): Promise<{ readonly added: number; readonly removed: number }> {
    const now = await this.source.definitions()
    const wanted = new Set(now.map((d) => d.hash))
    let added = 0
    let removed = 0
    for (const hash of [...this.hashes])
      if (!wanted.has(hash)) {
        this.set.remove(hash)
        this.hashes.delete(hash)
        removed++
      }
    for (const definition of now)
      if (!this.hashes.has(definition.hash)) {
        this.set.add(definition)
        this.hashes.add(definition.hash)
        added++
      }
    return { added, removed }
  }

  get size(): number {
    return this.hashes.size
  }
}
