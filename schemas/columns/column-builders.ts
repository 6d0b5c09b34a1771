import {
  Bool,
  type Field,
  Float64,
  Int32,
  Int64,
  List,
  type Struct,
  TimestampMillisecond,
  Utf8,
  makeData,
  type Data,
  type DataType,
} from 'apache-arrow'
import type { TargetDef } from '../targets/target-def.js'
import { arrowTypeOf } from './arrow-schema.js'

/*
 * Arrow columns written straight into typed buffers. `vectorFromArray` goes through Arrow JS's
 * generic builders and managed about 10,000 full-width interactions per second; the shredder
 * needs an order of magnitude more, so each target type gets a small buffer that appends
 * without a per-value allocation: strings are UTF-8-encoded in place by Buffer#write, 64-bit
 * values are written as two 32-bit halves instead of through a BigInt.
 */

const TWO_32 = 4294967296

function grow<T extends Int32Array | Float64Array>(array: T, need: number): T {
  if (need <= array.length) return array
  const next = new (array.constructor as new (n: number) => T)(Math.max(need, array.length * 2))
  next.set(array)
  return next
}

function growBytes(bytes: Buffer<ArrayBuffer>, need: number): Buffer<ArrayBuffer> {
  if (need <= bytes.length) return bytes
  const next = Buffer.allocUnsafe(Math.max(need, bytes.length * 2))
  bytes.copy(next, 0, 0, bytes.length)
  return next
}

/** Elements of one value type, appended one after another (a column's or a list's values). */
interface ElementBuffer {
  /** Appends `value`; false (and nothing appended) when it is not a value of this type. */
  push(value: unknown): boolean
  readonly count: number
  /** The elements as Arrow data, with `validity` when some are null. */
  finish(validity: Uint8Array | undefined, nullCount: number): Data
}

class Utf8Buffer implements ElementBuffer {
  count = 0
  private offsets: Int32Array
  private bytes: Buffer<ArrayBuffer>
  private end = 0

  constructor(capacity: number) {
    this.offsets = new Int32Array(capacity + 1)
    this.bytes = Buffer.allocUnsafe(capacity * 4 + 64)
  }

  push(value: unknown): boolean {
    if (typeof value !== 'string') return false
    this.bytes = growBytes(this.bytes, this.end + value.length * 3)
    this.end += this.bytes.write(value, this.end, 'utf8')
    this.offsets = grow(this.offsets, this.count + 2)
    this.offsets[++this.count] = this.end
    return true
  }

  /** Appends an empty slot (a null in a nullable column). */
  skip(): void {
    this.offsets = grow(this.offsets, this.count + 2)
    this.offsets[++this.count] = this.end
  }

  finish(validity: Uint8Array | undefined, nullCount: number): Data {
    return makeData({
      type: new Utf8(),
      length: this.count,
      nullCount,
      ...(validity === undefined ? {} : { nullBitmap: validity }),
      valueOffsets: this.offsets.subarray(0, this.count + 1),
      data: this.bytes.subarray(0, this.end),
    })
  }
}

/** Doubles or 32-bit integers: one typed-array slot per element. */
class NumberBuffer implements ElementBuffer {
  count = 0
  private values: Float64Array | Int32Array

  constructor(
    private readonly type: Float64 | Int32,
    capacity: number,
  ) {
    this.values = type instanceof Float64 ? new Float64Array(capacity) : new Int32Array(capacity)
  }

  push(value: unknown): boolean {
    if (typeof value !== 'number') return false
    this.values = grow(this.values, this.count + 1)
    this.values[this.count++] = value
    return true
  }

  skip(): void {
    this.values = grow(this.values, this.count + 1)
    this.values[this.count++] = 0
  }

  finish(validity: Uint8Array | undefined, nullCount: number): Data {
    // makeData's overloads cannot narrow the union; both types take their typed array.
    return makeData({
      type: this.type as Float64,
      length: this.count,
      nullCount,
      ...(validity === undefined ? {} : { nullBitmap: validity }),
      data: this.values.subarray(0, this.count) as Float64Array,
    })
  }
}

/** 64-bit integers (bigint longs, or epoch-millisecond timestamps) as little-endian halves. */
class Int64Buffer implements ElementBuffer {
  count = 0
  private halves: Int32Array

  constructor(
    private readonly type: Int64 | TimestampMillisecond,
    capacity: number,
  ) {
    this.halves = new Int32Array(capacity * 2)
  }

  push(value: unknown): boolean {
    let hi: number
    let lo: number
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return false
      hi = Math.floor(value / TWO_32)
      lo = value - hi * TWO_32
    } else if (typeof value === 'bigint') {
      hi = Number(BigInt.asIntN(32, value >> 32n))
      lo = Number(BigInt.asUintN(32, value))
    } else return false
    this.halves = grow(this.halves, this.count * 2 + 2)
    this.halves[this.count * 2] = lo | 0
    this.halves[this.count * 2 + 1] = hi | 0
    this.count++
    return true
  }

  skip(): void {
    this.halves = grow(this.halves, this.count * 2 + 2)
    this.halves[this.count * 2] = 0
    this.halves[this.count * 2 + 1] = 0
    this.count++
  }

  finish(validity: Uint8Array | undefined, nullCount: number): Data {
    const data = new BigInt64Array(this.halves.buffer, 0, this.count)
    // makeData's overloads cannot narrow a union of Int64 and Timestamp; both take 64-bit data.
    return makeData({
      type: this.type as Int64,
      length: this.count,
      nullCount,
      ...(validity === undefined ? {} : { nullBitmap: validity }),
      data,
    })
  }
}

class BoolBuffer implements ElementBuffer {
  count = 0
  private bits: Uint8Array

  constructor(capacity: number) {
    this.bits = new Uint8Array((capacity + 7) >> 3 || 1)
  }

  push(value: unknown): boolean {
    if (typeof value !== 'boolean') return false
    this.set(value)
    return true
  }

  skip(): void {
    this.set(false)
  }

  private set(value: boolean): void {
    const byte = this.count >> 3
    if (byte >= this.bits.length) {
      const next = new Uint8Array(this.bits.length * 2)
      next.set(this.bits)
      this.bits = next
    }
    if (value) this.bits[byte] = (this.bits[byte] as number) | (1 << (this.count & 7))
    this.count++
  }

  finish(validity: Uint8Array | undefined, nullCount: number): Data {
    return makeData({
      type: new Bool(),
      length: this.count,
      nullCount,
      ...(validity === undefined ? {} : { nullBitmap: validity }),
      data: this.bits.subarray(0, (this.count + 7) >> 3),
    })
  }
}

class GeoBuffer implements ElementBuffer {
  count = 0
  private readonly latitude: NumberBuffer
  private readonly longitude: NumberBuffer

  constructor(
    private readonly type: Struct,
    capacity: number,
  ) {
    this.latitude = new NumberBuffer(new Float64(), capacity)
    this.longitude = new NumberBuffer(new Float64(), capacity)
  }

  push(value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false
    const { latitude, longitude } = value as { latitude?: unknown; longitude?: unknown }
    if (typeof latitude !== 'number' || typeof longitude !== 'number') return false
    this.latitude.push(latitude)
    this.longitude.push(longitude)
    this.count++
    return true
  }

  skip(): void {
    this.latitude.skip()
    this.longitude.skip()
    this.count++
  }

  finish(validity: Uint8Array | undefined, nullCount: number): Data {
    return makeData({
      type: this.type,
      length: this.count,
      nullCount,
      ...(validity === undefined ? {} : { nullBitmap: validity }),
      children: [this.latitude.finish(undefined, 0), this.longitude.finish(undefined, 0)],
    })
  }
}

type SkippableBuffer = ElementBuffer & { skip(): void }

/** A buffer of `def`'s elements, sized for `capacity` of them (it grows past that). */
function elementBuffer(def: TargetDef, type: DataType, capacity: number): SkippableBuffer {
  switch (def.type) {
    case 'string':
      return new Utf8Buffer(capacity)
    case 'int':
      return new NumberBuffer(new Int32(), capacity)
    case 'float':
      return new NumberBuffer(new Float64(), capacity)
    case 'bool':
      return new BoolBuffer(capacity)
    case 'long':
      return new Int64Buffer(new Int64(), capacity)
    case 'timestamp':
      return new Int64Buffer(new TimestampMillisecond('UTC'), capacity)
    case 'geo':
      return new GeoBuffer(type as Struct, capacity)
  }
}

/**
 * One target's column for a batch of `length` rows. Rows are set in ascending order; a row
 * never set is null. Values of the wrong type are nulls too (the schema validator is where
 * such values are reported; here they must not corrupt the buffers).
 */
export interface ColumnBuilder {
  readonly def: TargetDef
  set(row: number, value: unknown): void
  finish(): Data
}

class ScalarColumn implements ColumnBuilder {
  private readonly validity: Uint8Array
  private valid = 0

  constructor(
    readonly def: TargetDef,
    private readonly length: number,
    private readonly values: SkippableBuffer,
  ) {
    this.validity = new Uint8Array((length + 7) >> 3)
  }

  set(row: number, value: unknown): void {
    while (this.values.count < row) this.values.skip()
    if (this.values.count > row) return
    if (!this.values.push(value)) return
    this.validity[row >> 3] = (this.validity[row >> 3] as number) | (1 << (row & 7))
    this.valid++
  }

  finish(): Data {
    while (this.values.count < this.length) this.values.skip()
    const nullCount = this.length - this.valid
    return this.values.finish(nullCount === 0 ? undefined : this.validity, nullCount)
  }
}

class ListColumn implements ColumnBuilder {
  private readonly validity: Uint8Array
  private readonly offsets: Int32Array
  private valid = 0
  private rows = 0

  constructor(
    readonly def: TargetDef,
    private readonly length: number,
    private readonly type: List,
    private readonly elements: ElementBuffer,
  ) {
    this.validity = new Uint8Array((length + 7) >> 3)
    this.offsets = new Int32Array(length + 1)
  }

  private fillTo(row: number): void {
    while (this.rows < row) this.offsets[++this.rows] = this.elements.count
  }

  set(row: number, value: unknown): void {
    this.fillTo(row)
    if (this.rows > row || !Array.isArray(value)) return
    for (const element of value as readonly unknown[]) this.elements.push(element)
    this.offsets[++this.rows] = this.elements.count
    this.validity[row >> 3] = (this.validity[row >> 3] as number) | (1 << (row & 7))
    this.valid++
  }

  finish(): Data {
    this.fillTo(this.length)
    const nullCount = this.length - this.valid
    return makeData({
      type: this.type,
      length: this.length,
      nullCount,
      ...(nullCount === 0 ? {} : { nullBitmap: this.validity }),
      valueOffsets: this.offsets,
      child: this.elements.finish(undefined, 0),
    })
  }
}

/** A builder of `def`'s column for `length` rows. */
export function columnBuilder(def: TargetDef, length: number): ColumnBuilder {
  const type = arrowTypeOf(def)
  if (type instanceof List) {
    const element = (type.children[0] as Field).type as DataType
    // Most list targets hold a few elements per row when present.
    return new ListColumn(def, length, type, elementBuffer(def, element, length))
  }
  return new ScalarColumn(def, length, elementBuffer(def, type, length))
}
