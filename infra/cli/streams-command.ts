import { readFile } from 'node:fs/promises'
import type { Writable } from 'node:stream'
import { StreamCatalog, type StreamRecord } from '../../query-dsl/index.js'
import { openObjectStore } from '../adapters/open-object-store.js'
import type { StoreConfig } from '../config/adapter-urls.js'

function line(r: StreamRecord): string {
  const owners = Object.entries(r.owners)
    .map(([owner, name]) => `${owner}: ${name}`)
    .join(', ')
  return `${r.hash}  dpu ${r.dpu}  ${owners}`
}

/** `sluice streams add FILE`: registers the CSDL in FILE (- for stdin); prints its hash. */
export async function runStreamsAdd(options: {
  readonly store: StoreConfig
  readonly file: string
  readonly name: string
  readonly owner: string
  readonly stdout: Writable
}): Promise<StreamRecord> {
  const csdl =
    options.file === '-'
      ? await new Promise<string>((resolve, reject) => {
          const chunks: Buffer[] = []
          process.stdin.on('data', (c: Buffer) => chunks.push(c))
          process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
          process.stdin.on('error', reject)
        })
      : await readFile(options.file, 'utf8')
  const record = await new StreamCatalog(openObjectStore(options.store)).create(
    csdl,
    options.name,
    options.owner,
  )
  options.stdout.write(`${line(record)}\n`)
  return record
}

/** `sluice streams list`: one stream per line (hash, DPU cost, owners and their names). */
export async function runStreamsList(options: {
  readonly store: StoreConfig
  readonly owner?: string
  readonly stdout: Writable
}): Promise<void> {
  for (const r of await new StreamCatalog(openObjectStore(options.store)).list(options.owner))
    options.stdout.write(`${line(r)}\n`)
}

/** `sluice streams delete HASH --owner O`. */
export async function runStreamsDelete(options: {
  readonly store: StoreConfig
  readonly hash: string
  readonly owner: string
}): Promise<void> {
  await new StreamCatalog(openObjectStore(options.store)).delete(options.hash, options.owner)
}
