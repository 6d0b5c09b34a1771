import { Level } from 'level'
import type {
  ViewShardReader,
  ViewShardStore,
  ViewShardWriter,
} from '../../../schemas/ports/index.js'
import { StoreError } from '../../../schemas/ports/index.js'

type Db = Level<string, Uint8Array>

function open(directory: string, create: boolean): Db {
  return new Level<string, Uint8Array>(directory, {
    keyEncoding: 'utf8',
    valueEncoding: 'view',
    createIfMissing: create,
    errorIfExists: create,
  })
}

async function* entries(
  db: Db,
  gte: string,
  lt: string,
): AsyncGenerator<readonly [string, Uint8Array]> {
  for await (const [key, value] of db.iterator({ gte, lt })) yield [key, value] as const
}

function writer(db: Db): ViewShardWriter {
  return {
    write: async (rows) => {
      await db.batch(rows.map(([key, value]) => ({ type: 'put' as const, key, value })))
    },
    clear: (gte, lt) => db.clear({ gte, lt }),
    range: (gte, lt) => entries(db, gte, lt),
    close: () => db.close(),
  }
}

async function opened(db: Db, operation: string, directory: string): Promise<Db> {
  try {
    await db.open()
    return db
  } catch (cause) {
    throw new StoreError(
      'invalid',
      operation,
      directory,
      cause instanceof Error ? cause.message : String(cause),
      { cause },
    )
  }
}

/** View shards as LevelDB databases (classic-level), one directory each. */
export class LevelShardStore implements ViewShardStore {
  async create(directory: string): Promise<ViewShardWriter> {
    return writer(await opened(open(directory, true), 'create shard', directory))
  }

  async reopen(directory: string): Promise<ViewShardWriter> {
    return writer(await opened(open(directory, false), 'reopen shard', directory))
  }

  async open(directory: string): Promise<ViewShardReader> {
    const db = await opened(open(directory, false), 'open shard', directory)
    return {
      range: (gte, lt) => entries(db, gte, lt),
      get: async (key) => (await db.get(key)) ?? undefined,
      close: () => db.close(),
    }
  }
}
