import { createHash, randomBytes } from 'node:crypto'
import { isJsonObject } from '../../schemas/index.js'
import { listAll, type ObjectStore } from '../../schemas/ports/index.js'

/** What Sluice keeps of an API key: never the key itself, only its SHA-256. */
export interface ApiKeyRecord {
  /** Public identifier (`k_` + 12 hex digits of the hash): owner of streams, shown in lists. */
  readonly id: string
  readonly name: string
  /** May create, list and revoke keys. */
  readonly admin: boolean
  readonly createdAt: string
  readonly revokedAt?: string
}

/** No key with that id. */
export class ApiKeyNotFoundError extends Error {
  override readonly name = 'ApiKeyNotFoundError'
  constructor(readonly id: string) {
    super(`no API key ${id}`)
  }
}

export const KEYS_PREFIX = 'keys/'
const KEY_PREFIX = 'sluice_'

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')
const objectKey = (hash: string): string => `${KEYS_PREFIX}${hash}.json`

function parseRecord(bytes: Uint8Array): ApiKeyRecord | undefined {
  const value: unknown = JSON.parse(new TextDecoder().decode(bytes))
  if (!isJsonObject(value)) return undefined
  const { id, name, admin, createdAt, revokedAt } = value
  if (
    typeof id !== 'string' ||
    typeof name !== 'string' ||
    typeof admin !== 'boolean' ||
    typeof createdAt !== 'string'
  )
    return undefined
  return { id, name, admin, createdAt, ...(typeof revokedAt === 'string' ? { revokedAt } : {}) }
}

/**
 * API keys in the object store under `keys/<sha256>.json`. A key is `sluice_` and 32 random
 * base64url characters, shown once when created. Verification is one object read by hash,
 * remembered for `cacheMs` (so a revocation reaches other servers within that time).
 */
export class ApiKeys {
  private readonly cache = new Map<string, { record: ApiKeyRecord | undefined; until: number }>()

  constructor(
    private readonly store: ObjectStore,
    private readonly options: { readonly cacheMs?: number; readonly now?: () => Date } = {},
  ) {}

  private now(): Date {
    return this.options.now?.() ?? new Date()
  }

  /** A new key (returned once, never stored) and its record. */
  async create(name: string, admin = false): Promise<{ key: string; record: ApiKeyRecord }> {
    const key = `${KEY_PREFIX}${randomBytes(24).toString('base64url')}`
    const hash = sha256(key)
    const record: ApiKeyRecord = {
      id: `k_${hash.slice(0, 12)}`,
      name,
      admin,
      createdAt: this.now().toISOString(),
    }
    await this.store.put(objectKey(hash), new TextEncoder().encode(JSON.stringify(record)))
    return { key, record }
  }

  /** Every key's record, oldest first (revoked ones too). */
  async list(): Promise<ApiKeyRecord[]> {
    const out: ApiKeyRecord[] = []
    for await (const object of listAll(this.store, KEYS_PREFIX)) {
      const bytes = await this.store.get(object.key)
      const record = bytes === undefined ? undefined : parseRecord(bytes)
      if (record !== undefined) out.push(record)
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
  }

  /** Revokes the key `id` (kept, marked revoked); throws {@link ApiKeyNotFoundError}. */
  async revoke(id: string): Promise<ApiKeyRecord> {
    for await (const object of listAll(this.store, KEYS_PREFIX)) {
      const bytes = await this.store.get(object.key)
      const record = bytes === undefined ? undefined : parseRecord(bytes)
      if (record?.id !== id) continue
      const revoked: ApiKeyRecord = {
        ...record,
        revokedAt: record.revokedAt ?? this.now().toISOString(),
      }
      await this.store.put(object.key, new TextEncoder().encode(JSON.stringify(revoked)))
      this.cache.clear()
      return revoked
    }
    throw new ApiKeyNotFoundError(id)
  }

  /** The record of a valid key; undefined for an unknown, malformed or revoked one. */
  async verify(key: string): Promise<ApiKeyRecord | undefined> {
    if (!key.startsWith(KEY_PREFIX) || key.length > 100) return undefined
    const hash = sha256(key)
    const now = Date.now()
    const hit = this.cache.get(hash)
    if (hit !== undefined && hit.until > now) return hit.record
    const bytes = await this.store.get(objectKey(hash))
    const found = bytes === undefined ? undefined : parseRecord(bytes)
    const record = found?.revokedAt === undefined ? found : undefined
    if (this.cache.size > 10_000) this.cache.clear()
    this.cache.set(hash, { record, until: now + (this.options.cacheMs ?? 5000) })
    return record
  }
}
