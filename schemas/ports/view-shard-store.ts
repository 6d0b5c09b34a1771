/**
 * The view shard port: the batch layer's read-only key-value shards (ElephantDB's role). A
 * shard is built once in a local directory, its files are published through the object store,
 * and servers open their local copy read-only. Keys are strings ordered bytewise (UTF-8), so a
 * stream's time range within a shard is one ordered scan.
 *
 * @example
 *   const w = await shards.create('/tmp/v3/volume/shard-0')
 *   await w.write([['s1\u0000hour\u0000…', bytes]])
 *   await w.close()
 *   const r = await shards.open('/cache/v3/volume/shard-0')
 *   for await (const [key, value] of r.range(from, to)) …
 */
export interface ViewShardWriter {
  /** Adds entries; keys may come in any order, a key written twice keeps the last value. */
  write(entries: readonly (readonly [string, Uint8Array])[]): Promise<void>
  /** Removes the entries with `gte <= key < lt`. */
  clear(gte: string, lt: string): Promise<void>
  /** Entries with `gte <= key < lt` as written so far, in key order. */
  range(gte: string, lt: string): AsyncIterable<readonly [string, Uint8Array]>
  /** Flushes everything to the directory and closes the shard. */
  close(): Promise<void>
}

export interface ViewShardReader {
  /** Entries with `gte <= key < lt`, in key order. */
  range(gte: string, lt: string): AsyncIterable<readonly [string, Uint8Array]>
  get(key: string): Promise<Uint8Array | undefined>
  close(): Promise<void>
}

export interface ViewShardStore {
  /** A new, empty shard in `directory` (which must not hold one). */
  create(directory: string): Promise<ViewShardWriter>
  /**
   * The shard in `directory` opened for changes: a copy of a published shard that the next
   * version changes in place of rebuilding it.
   */
  reopen(directory: string): Promise<ViewShardWriter>
  /** A finished shard in `directory`, opened for reading. */
  open(directory: string): Promise<ViewShardReader>
}
