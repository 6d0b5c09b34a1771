import {
  openPart,
  readPart,
  storedPart,
  type MasterSnapshot,
  type PartEntry,
} from '../schemas/index.js'
import type { ObjectStore } from '../schemas/ports/index.js'

const ID = 'interaction.id'

/** Identifies a (type, day) partition in maps: `<type>/<YYYY-MM-DD>`. */
export function partitionOf(type: string, date: string): string {
  return `${type}/${date}`
}

/**
 * The interaction ids already in each partition touched by a run, so that a record seen in any
 * earlier segment of its day — in this run or a published part — is dropped. A partition's ids
 * are read from its published parts (the id column only) the first time it is touched.
 */
export class PartitionIds {
  private readonly ids = new Map<string, Set<string>>()

  constructor(
    private readonly store: ObjectStore,
    private readonly snapshot: MasterSnapshot,
  ) {}

  /** The id set of `type`/`date` if it is loaded already (no await on the per-record path). */
  loaded(type: string, date: string): Set<string> | undefined {
    return this.ids.get(partitionOf(type, date))
  }

  /** The id set of `type`/`date`, loading it from the published parts on first use. */
  async of(type: string, date: string): Promise<Set<string>> {
    const name = partitionOf(type, date)
    let set = this.ids.get(name)
    if (set !== undefined) return set
    set = new Set()
    const parts: PartEntry[] = [...this.snapshot.parts.values()].filter(
      (p) => p.type === type && p.date === date,
    )
    for (const part of parts) {
      const opened = await openPart(storedPart(this.store, part.key, part.bytes))
      const table = await readPart(opened, { columns: [ID] })
      const column = table.getChild(ID)
      for (let row = 0; row < table.numRows; row++) {
        const id = column?.get(row) as string | null | undefined
        if (typeof id === 'string') set.add(id)
      }
    }
    this.ids.set(name, set)
    return set
  }
}
