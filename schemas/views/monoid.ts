/**
 * An aggregate defined once for the batch and speed layers (Summingbird's lesson): items are
 * folded into values with `add`, and values combine with an associative `merge` whose identity
 * is `empty()`. Values are encoded to bytes to live in view stores.
 *
 * `add` and `merge` may reuse their first argument's storage and return it; they never change
 * the second nor keep references into it, so `merge(empty(), v)` is an independent copy of `v`.
 * Callers that need the first argument afterwards pass a copy.
 */
export interface Monoid<V, I> {
  readonly name: string
  empty(): V
  add(value: V, item: I): V
  merge(a: V, b: V): V
  encode(value: V): Uint8Array
  decode(bytes: Uint8Array): V
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function jsonBytes(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value))
}

export function fromJsonBytes(bytes: Uint8Array): unknown {
  return JSON.parse(decoder.decode(bytes))
}

/** Counts: items are increments. */
export const COUNT: Monoid<number, number> = {
  name: 'count',
  empty: () => 0,
  add: (value, item) => value + item,
  merge: (a, b) => a + b,
  encode: (value) => jsonBytes(value),
  decode: (bytes) => fromJsonBytes(bytes) as number,
}
