import {
  Bool,
  Field,
  Float64,
  Int32,
  Int64,
  List,
  Schema,
  Struct,
  TimestampMillisecond,
  Utf8,
  type DataType,
} from 'apache-arrow'
import { TARGETS } from '../targets/all-targets.js'
import type { TargetDef, TargetType } from '../targets/target-def.js'

/** The Arrow type of one element of each target type. */
function elementType(type: TargetType): DataType {
  switch (type) {
    case 'string':
      return new Utf8()
    case 'int':
      return new Int32()
    case 'long':
      return new Int64()
    case 'float':
      return new Float64()
    case 'bool':
      return new Bool()
    case 'timestamp':
      return new TimestampMillisecond('UTC')
    case 'geo':
      return new Struct([
        new Field('latitude', new Float64(), false),
        new Field('longitude', new Float64(), false),
      ])
  }
}

/** The Arrow type of a target's column: its element type, or a list of it. */
export function arrowTypeOf(def: TargetDef): DataType {
  const element = elementType(def.type)
  return def.list ? new List(new Field('item', element, false)) : element
}

/**
 * The column of one target: named by its full dotted path (nested targets flattened, as in the
 * Parquet master dataset), always nullable (every target can be absent), with the schema's
 * facts in field metadata so files describe themselves.
 */
export function arrowFieldOf(def: TargetDef): Field {
  const metadata = new Map<string, string>([
    ['sluice.type', def.type],
    ['sluice.sources', def.sources.join(',')],
    ['sluice.doc', def.doc],
  ])
  if (def.url === true) metadata.set('sluice.url', 'true')
  if (def.text !== undefined) metadata.set('sluice.text', def.text)
  return new Field(def.path, arrowTypeOf(def), true, metadata)
}

/**
 * The Apache Arrow schema of an interaction: one column per target, in schema order.
 *
 * @example INTERACTION_ARROW_SCHEMA.fields.find((f) => f.name === 'interaction.geo')?.type
 */
export const INTERACTION_ARROW_SCHEMA: Schema = new Schema(
  TARGETS.map(arrowFieldOf),
  new Map([['sluice.schema', 'interaction']]),
)
