import { lookupTarget, type CatalogEntry } from '../schemas/index.js'

/**
 * A target as evaluation sees it: its catalog entry, how to read it from an interaction (nested
 * objects by path segment, csdl.md §15), and a slot number under which per-interaction work on
 * it (stripped text, tokens) is cached. Bindings are interned: one per path per process.
 */
export interface TargetBinding {
  readonly path: string
  readonly entry: CatalogEntry
  readonly slot: number
  read(interaction: unknown): unknown
}

const bindings = new Map<string, TargetBinding>()
let nextSlot = 0

/** Allocates a cache slot (targets and target × tokenizer views share one numbering). */
export function allocateSlot(): number {
  return nextSlot++
}

/** The number of slots allocated so far (contexts size their caches by it). */
export function slotCount(): number {
  return nextSlot
}

function reader(path: string): (interaction: unknown) => unknown {
  const segments = path.split('.')
  return (interaction) => {
    let v: unknown = interaction
    for (const seg of segments) {
      if (typeof v !== 'object' || v === null) return undefined
      v = (v as Readonly<Record<string, unknown>>)[seg]
    }
    return v
  }
}

/** The binding of a catalogued target path (lower case), or undefined when it is not a target. */
export function bindTarget(path: string): TargetBinding | undefined {
  const hit = bindings.get(path)
  if (hit !== undefined) return hit
  const entry = lookupTarget(path)
  if (entry === undefined) return undefined
  const binding: TargetBinding = { path, entry, slot: allocateSlot(), read: reader(path) }
  bindings.set(path, binding)
  return binding
}
