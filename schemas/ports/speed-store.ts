/**
 * The speed-store port: the speed layer's state, split into routes (a route holds the views of
 * the interactions whose id hashes to it, and the ids it has seen). Within a route, keys are
 * strings in bytewise order, so a stream's buckets are one ordered range, as in batch shards.
 *
 * Every change to a route is one atomic commit that applies only if the route's version is the
 * one the writer read, and bumps it: whoever reads a route, folds new interactions into what it
 * read and commits, never loses another writer's update and never applies its own twice (the
 * commit that marks a job applied is the commit that applied it). Values may carry a TTL, the
 * backstop for expiry.
 *
 * @example
 *   const { version } = await store.read(3, ['v\u0000…'])
 *   const ok = await store.commit(3, version, { puts: [['v\u0000…', bytes, 7200]] })
 */
export interface SpeedPut {
  readonly key: string
  readonly value: Uint8Array
  /** Seconds until the store may drop the entry (0 or absent: kept until deleted). */
  readonly ttlSeconds?: number
}

export interface SpeedChanges {
  readonly puts?: readonly SpeedPut[]
  readonly deletes?: readonly string[]
}

export interface SpeedRead {
  /** The route's version when read: what a commit of changes computed from this read expects. */
  readonly version: number
  /** The asked keys that hold a value. */
  readonly values: ReadonlyMap<string, Uint8Array>
}

export interface SpeedStore {
  /** A description of where the state is, for logs and health (never credentials). */
  readonly location: string
  /** The route's version and the values of `keys`, read together. */
  read(route: number, keys: readonly string[]): Promise<SpeedRead>
  /** Entries of a route with `gte <= key < lt`, in key order (a consistent view is not promised). */
  range(route: number, gte: string, lt: string): AsyncIterable<readonly [string, Uint8Array]>
  /**
   * Applies `changes` to the route atomically if its version is still `expected`, making it
   * `expected + 1`; returns false (and changes nothing) when another commit came first.
   */
  commit(route: number, expected: number, changes: SpeedChanges): Promise<boolean>
  close(): Promise<void>
}
