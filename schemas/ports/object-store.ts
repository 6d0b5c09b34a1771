/**
 * What an object store holds about one object. `etag` is the store's content tag when it has
 * one (S3: the MD5 of a single-part upload); a local directory has none.
 */
export interface ObjectInfo {
  readonly key: string
  readonly size: number
  readonly modified: Date
  readonly etag?: string
}

/** One page of a listing, in ascending key order; `next` resumes it (absent on the last page). */
export interface ObjectPage {
  readonly objects: readonly ObjectInfo[]
  readonly next?: string
}

export interface ListOptions {
  /** Resume token from the previous page's `next`. */
  readonly after?: string
  /** At most this many objects per page (the store may return fewer). */
  readonly limit?: number
}

/**
 * The object store port: the raw log, the master dataset, batch views and job outputs live in
 * it. Keys are `/`-separated paths without a leading slash. Every write replaces the whole
 * object atomically: a reader sees the old bytes or the new bytes, never a mix, and never a
 * half-written object. Deliberately excluded: conditional writes (the S3-protocol server of
 * our tests lacks them, so nothing may depend on them), versions, append.
 *
 * @example
 *   await store.put('raw/source=reddit/date=2026-11-22/c1-7.ndjson.gz', bytes)
 *   const page = await store.list('raw/source=reddit/', { limit: 1000 })
 */
export interface ObjectStore {
  /** A description of where the objects are, for logs and health (never credentials). */
  readonly location: string
  /** Writes (or overwrites) `key` with `body`. */
  put(key: string, body: Uint8Array): Promise<void>
  /** The whole object, or `undefined` when there is no such key. */
  get(key: string): Promise<Uint8Array | undefined>
  /**
   * Bytes `[start, end)` of the object (clipped to its size), or `undefined` when there is no
   * such key. Readers of Parquet footers and HTTP Range downloads use this.
   */
  getRange(key: string, start: number, end: number): Promise<Uint8Array | undefined>
  /** The object's metadata, or `undefined` when there is no such key. */
  head(key: string): Promise<ObjectInfo | undefined>
  /** The objects whose key starts with `prefix`, one page at a time, in ascending key order. */
  list(prefix: string, options?: ListOptions): Promise<ObjectPage>
  /** Removes `key`; removing a missing key is not an error. */
  delete(key: string): Promise<void>
  /**
   * A URL anyone holding it may GET the object from for `seconds`, when the store can issue
   * one (S3: a presigned URL); undefined when it cannot (a local directory), so callers serve
   * the bytes themselves.
   */
  presignedGet(key: string, seconds: number): Promise<string | undefined>
}

/** Every object under `prefix`, following pages until the listing ends. */
export async function* listAll(store: ObjectStore, prefix: string): AsyncGenerator<ObjectInfo> {
  let after: string | undefined
  do {
    const page: ObjectPage = await store.list(prefix, after === undefined ? {} : { after })
    yield* page.objects
    after = page.next
  } while (after !== undefined)
}

/** The JSON object at `key`, or undefined when there is none. */
export async function getJson<T>(store: ObjectStore, key: string): Promise<T | undefined> {
  const bytes = await store.get(key)
  return bytes === undefined ? undefined : (JSON.parse(new TextDecoder().decode(bytes)) as T)
}

/** Stores `value` as JSON at `key`. */
export async function putJson(store: ObjectStore, key: string, value: unknown): Promise<void> {
  await store.put(key, new TextEncoder().encode(JSON.stringify(value)))
}
