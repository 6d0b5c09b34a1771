import { RecordBatch, Schema, Struct, Table, makeData, type Data, type Vector } from 'apache-arrow'
import { buildSchemaTree, type SchemaBranch } from '../codec/schema-tree.js'
import type { Interaction } from '../interaction.js'
import { TARGETS } from '../targets/all-targets.js'
import type { TargetDef } from '../targets/target-def.js'
import { arrowFieldOf } from './arrow-schema.js'
import { columnBuilder, type ColumnBuilder } from './column-builders.js'

type Tree = Record<string, unknown>

/** Fills every column from one interaction: the compiled walk of a schema tree. */
type RowFill = (interaction: Tree, row: number, columns: readonly ColumnBuilder[]) => void

/**
 * Compiles the walk of `tree` into straight-line code with constant property names. A generic
 * loop over each branch's keys makes every property load megamorphic, which cost more than
 * all the column appends together; constant names give V8 one inline cache per site, and
 * interactions of one source share their shapes.
 */
function compileRowFill(tree: SchemaBranch, order: ReadonlyMap<string, number>): RowFill {
  const lines: string[] = []
  let vars = 0
  const walk = (branch: SchemaBranch, node: string): void => {
    for (const [key, child] of branch.children) {
      const name = `v${vars++}`
      lines.push(`const ${name} = ${node}[${JSON.stringify(key)}];`)
      if (child.kind === 'leaf') {
        lines.push(`if (${name} != null) c[${order.get(child.def.path) ?? -1}].set(row, ${name});`)
      } else {
        lines.push(`if (${name} != null && typeof ${name} === 'object') {`)
        walk(child, name)
        lines.push('}')
      }
    }
  }
  walk(tree, 'n')
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from the schema only
  return new Function('n', 'row', 'c', lines.join('\n')) as RowFill
}

interface CompiledTargets {
  readonly fill: RowFill
}

// The row walks of the target lists consumers ask for, compiled once per list.
const compiledByTargets = new WeakMap<readonly TargetDef[], CompiledTargets>()

function compiled(targets: readonly TargetDef[]): CompiledTargets {
  let c = compiledByTargets.get(targets)
  if (c === undefined) {
    const order = new Map(targets.map((def, i) => [def.path, i]))
    c = { fill: compileRowFill(buildSchemaTree(targets), order) }
    compiledByTargets.set(targets, c)
  }
  return c
}

/**
 * Interactions as an Apache Arrow table: one column per target (named by its dotted path, as in
 * the Parquet master dataset), absent values as nulls, lists as Arrow lists, geo points as
 * `{latitude, longitude}` structs, `long` targets as 64-bit integers. `targets` limits the
 * columns to what a consumer needs (all targets by default). One pass over the interactions
 * walks each present branch of the schema once, so absent namespaces cost nothing.
 *
 * @example interactionsToArrow(batch).getChild('interaction.id')?.get(0)
 */
export function interactionsToArrow(
  interactions: readonly Interaction[],
  targets: readonly TargetDef[] = TARGETS,
): Table {
  const length = interactions.length
  const columns = targets.map((def) => columnBuilder(def, length))
  const { fill } = compiled(targets)
  for (let row = 0; row < length; row++) fill(interactions[row] as Tree, row, columns)
  const fields = targets.map(arrowFieldOf)
  const schema = new Schema(fields)
  const children = columns.map((c) => c.finish())
  const batch = new RecordBatch(
    schema,
    makeData({ type: new Struct(fields), length, nullCount: 0, children }),
  )
  return new Table(schema, [batch])
}

// Arrow JS decodes strings with a default TextDecoder, which drops a leading U+FEFF; the
// master dataset must give back the text as received, so strings are decoded here.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true })

type CellReader = (row: number) => unknown

function stringReader(data: Data): (index: number) => string {
  const offsets = data.valueOffsets as Int32Array
  const bytes = data.values as Uint8Array
  return (index) => utf8.decode(bytes.subarray(offsets[index], offsets[index + 1]))
}

/** A reader of one column chunk's cells as the plain values an interaction holds. */
function cellReader(def: TargetDef, vector: Vector, data: Data): CellReader {
  const valid = (row: number): boolean => data.getValid(row)
  if (def.type === 'string' && !def.list) {
    const at = stringReader(data)
    // A sliced Data keeps its offset for the validity bitmap but its value offsets are already
    // cut to the slice (Arrow JS's Data#slice), so rows index them directly.
    return (row) => (valid(row) ? at(row) : undefined)
  }
  if (def.type === 'string' && def.list) {
    const offsets = data.valueOffsets as Int32Array
    const child = data.children[0] as Data
    const at = stringReader(child)
    return (row) => {
      if (!valid(row)) return undefined
      const out: string[] = []
      for (let k = offsets[row] as number; k < (offsets[row + 1] as number); k++) out.push(at(k))
      return out
    }
  }
  const one = (v: unknown): unknown => {
    if (def.type === 'geo') {
      const g = v as { latitude: number; longitude: number }
      return { latitude: g.latitude, longitude: g.longitude }
    }
    if (def.type === 'timestamp' && v instanceof Date) return v.getTime()
    if (def.type === 'timestamp' && typeof v === 'bigint') return Number(v)
    return v
  }
  return (row) => {
    const cell: unknown = vector.get(row)
    if (cell === null || cell === undefined) return undefined
    return def.list ? Array.from(cell as Iterable<unknown>, one) : one(cell)
  }
}

/**
 * The inverse of {@link interactionsToArrow}: rows back to nested interactions, holding only
 * the columns the table has (a projected read gives partial interactions).
 */
export function arrowToInteractions(table: Table): Interaction[] {
  const byPath = new Map<string, TargetDef>(TARGETS.map((d) => [d.path, d]))
  const out: Interaction[] = []
  for (const batch of table.batches) {
    const columns = batch.schema.fields.flatMap((f, index) => {
      const def = byPath.get(f.name)
      const vector = batch.getChildAt(index)
      const data: Data | undefined = vector?.data[0]
      return def === undefined || vector === null || data === undefined
        ? []
        : [{ read: cellReader(def, vector, data), parts: f.name.split('.') }]
    })
    for (let row = 0; row < batch.numRows; row++) {
      const tree: Tree = {}
      for (const { read, parts } of columns) {
        const value = read(row)
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
  }
  return out
}
