import type { Writable } from 'node:stream'
import { ApiKeys } from '../../serving/index.js'
import { openObjectStore } from '../adapters/open-object-store.js'
import type { StoreConfig } from '../config/adapter-urls.js'

/** `sluice keys create`: prints the new key (shown once) and its id. */
export async function runKeysCreate(options: {
  readonly store: StoreConfig
  readonly name: string
  readonly admin: boolean
  readonly stdout: Writable
}): Promise<void> {
  const keys = new ApiKeys(openObjectStore(options.store))
  const { key, record } = await keys.create(options.name, options.admin)
  options.stdout.write(
    `${key}\nid ${record.id}${record.admin ? ' (admin)' : ''}: keep the key, it is not stored and cannot be shown again\n`,
  )
}

/** `sluice keys list`: id, name, admin, created, revoked. */
export async function runKeysList(options: {
  readonly store: StoreConfig
  readonly stdout: Writable
}): Promise<void> {
  const keys = new ApiKeys(openObjectStore(options.store))
  for (const r of await keys.list())
    options.stdout.write(
      `${r.id}\t${r.name}\t${r.admin ? 'admin' : 'user'}\t${r.createdAt}\t${r.revokedAt === undefined ? 'active' : `revoked ${r.revokedAt}`}\n`,
    )
}

/** `sluice keys revoke ID`. */
export async function runKeysRevoke(options: {
  readonly store: StoreConfig
  readonly id: string
}): Promise<void> {
  await new ApiKeys(openObjectStore(options.store)).revoke(options.id)
}
