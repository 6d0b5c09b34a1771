import { TARGETS } from '../targets/all-targets.js'
import type { TargetDef } from '../targets/target-def.js'

/** The target list as a tree of path segments; leaves hold their target. */
export type SchemaNode = SchemaBranch | SchemaLeaf

export interface SchemaBranch {
  readonly kind: 'branch'
  /** Full dotted path of this branch ("" for the root). */
  readonly path: string
  readonly children: ReadonlyMap<string, SchemaNode>
}

export interface SchemaLeaf {
  readonly kind: 'leaf'
  readonly def: TargetDef
}

interface MutableBranch {
  readonly kind: 'branch'
  readonly path: string
  readonly children: Map<string, MutableBranch | SchemaLeaf>
}

/**
 * Builds the segment tree of a target list. Throws when one path is a prefix of another (a leaf
 * cannot also be a branch), which is a schema bug caught at load time.
 */
export function buildSchemaTree(targets: readonly TargetDef[]): SchemaBranch {
  const root: MutableBranch = { kind: 'branch', path: '', children: new Map() }
  for (const def of targets) {
    const segments = def.path.split('.')
    let node = root
    segments.forEach((seg, i) => {
      const existing = node.children.get(seg)
      if (i === segments.length - 1) {
        if (existing !== undefined)
          throw new Error(`schema: target ${def.path} collides with another target or branch`)
        node.children.set(seg, { kind: 'leaf', def })
        return
      }
      if (existing?.kind === 'leaf')
        throw new Error(`schema: target ${existing.def.path} is a prefix of ${def.path}`)
      const next: MutableBranch = existing ?? {
        kind: 'branch',
        path: segments.slice(0, i + 1).join('.'),
        children: new Map(),
      }
      node.children.set(seg, next)
      node = next
    })
  }
  return root
}

/** The tree of the interaction schema. */
export const SCHEMA_TREE: SchemaBranch = buildSchemaTree(TARGETS)
