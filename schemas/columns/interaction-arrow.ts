import { Schema, Table, vectorFromArray, type Vector } from 'apache-arrow'
import type { Interaction } from '../interaction.js'
import { TARGETS } from '../targets/all-targets.js'
import type { TargetDef } from '../targets/target-def.js'
import { arrowFieldOf } from './arrow-schema.js'

type Tree = Record<string, unknown>

/** A reader of one target's value from a nested interaction, resolved once per target. */
function readerOf(def: TargetDef): (interaction: Interaction) => unknown {
  const parts = def.path.split('.')
  return (interaction) => {
    let node: unknown = interaction
    for (const part of parts) {
      if (node === null || typeof node !== 'object') return undefined
      node = (node as Tree)[part]
    }
    return node
  }
}

/**
 * Interactions as an Apache Arrow table: one column per target (named by its dotted path, as in
 * the Parquet master dataset), absent values as nulls, lists as Arrow lists, geo points as
 * `{latitude, longitude}` structs, `long` targets as 64-bit integers. `targets` limits the
 * columns to what a consumer needs (all targets by default).
 *
 * @example interactionsToArrow(batch).getChild('interaction.id')?.get(0)
 */
export function interactionsToArrow(
  interactions: readonly Interaction[],
  targets: readonly TargetDef[] = TARGETS,
): Table {
  const columns: Record<string, Vector> = {}
  for (const def of targets) {
    const read = readerOf(def)
    const values = interactions.map((i) => read(i) ?? null)
    columns[def.path] = vectorFromArray(values, arrowFieldOf(def).type)
  }
  const table = new Table(columns)
  // The schema's field metadata (type, sources, doc) travels with the data.
  return new Table(new Schema(targets.map(arrowFieldOf), table.schema.metadata), table.batches)
}

/** A cell of an Arrow column as the plain value the interaction holds. */
function plain(def: TargetDef, cell: unknown): unknown {
  if (cell === null || cell === undefined) return undefined
  const one = (v: unknown): unknown => {
    if (def.type === 'geo') {
      const g = v as { latitude: number; longitude: number }
      return { latitude: g.latitude, longitude: g.longitude }
    }
    if (def.type === 'timestamp' && v instanceof Date) return v.getTime()
    if (def.type === 'timestamp' && typeof v === 'bigint') return Number(v)
    return v
  }
  if (def.list) return Array.from(cell as Iterable<unknown>, one)
  return one(cell)
}

/**
 * The inverse of {@link interactionsToArrow}: rows back to nested interactions, holding only
 * the columns the table has (a projected read gives partial interactions).
 */
export function arrowToInteractions(table: Table): Interaction[] {
  const byPath = new Map<string, TargetDef>(TARGETS.map((d) => [d.path, d]))
  const columns = table.schema.fields.flatMap((f) => {
    const def = byPath.get(f.name)
    const vector = table.getChild(f.name)
    return def === undefined || vector === null ? [] : [{ def, vector, parts: f.name.split('.') }]
  })
  const out: Interaction[] = []
  for (let row = 0; row < table.numRows; row++) {
    const tree: Tree = {}
    for (const { def, vector, parts } of columns) {
      const value = plain(def, vector.get(row))
      if (value === undefined) continue
      let node = tree
      for (let i = 0; i < parts.length - 1; i++) {
        const key = parts[i] as string
        node = (node[key] ??= {}) as Tree
      }
      node[parts[parts.length - 1] as string] = value
    }
    out.push(tree)
  }
  return out
}
