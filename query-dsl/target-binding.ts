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

/**
 * A reader specialised to one path. Every filter reads targets through these, and a loop over
 * segments makes each property load megamorphic (one load site for every key of every shape);
 * straight-line code with constant keys gives each step its own inline cache, about 40% faster
 * on real tweets. Keys are embedded as JSON string literals, so no path can inject code.
 */
function reader(path: string): (interaction: unknown) => unknown {
  const steps = path
    .split('.')
    .map(
      (seg) =>
        `if (typeof v !== 'object' || v === null) return undefined\nv = v[${JSON.stringify(seg)}]`,
    )
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- see above: constant keys only
  return new Function('v', `${steps.join('\n')}\nreturn v`) as (interaction: unknown) => unknown
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
