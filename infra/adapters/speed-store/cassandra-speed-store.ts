import cassandra from 'cassandra-driver'
import type { SpeedChanges, SpeedRead, SpeedStore } from '../../../schemas/ports/index.js'
import { StoreError } from '../../../schemas/ports/index.js'

const Long = cassandra.types.Long
// IN lists beyond this are split: Cassandra 2.1 reads them key by key anyway.
const IN_CHUNK = 200
const PAGE = 1000

export interface CassandraSpeedStoreOptions {
  readonly host: string
  readonly port: number
  readonly keyspace: string
  readonly replication?: number
  readonly localDataCenter?: string
}

const SCHEMA_ATTEMPTS = 6

/**
 * Creates the keyspace and table if missing. Workers starting together race to create them, and
 * Cassandra answers the losers of `IF NOT EXISTS` with a schema mismatch until its schema
 * settles: retried until the table answers a read.
 */
async function createSchema(
  client: cassandra.Client,
  options: CassandraSpeedStoreOptions,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.execute(
        `CREATE KEYSPACE IF NOT EXISTS ${options.keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': ${options.replication ?? 1}}`,
      )
      await client.execute(
        `CREATE TABLE IF NOT EXISTS ${options.keyspace}.speed_state (route int, key text, value blob, version bigint static, PRIMARY KEY (route, key))`,
      )
      await client.execute(`SELECT route FROM ${options.keyspace}.speed_state LIMIT 1`)
      return
    } catch (e) {
      if (attempt >= SCHEMA_ATTEMPTS) throw e
      await new Promise((r) => setTimeout(r, 300 * attempt))
    }
  }
}

/**
 * The speed store in Cassandra (`cassandra://HOST:PORT/KEYSPACE`): one partition per route, a
 * static `version` column, and a commit as one conditional batch on that partition (a
 * lightweight transaction: applied only if the version is the expected one), so the version
 * check and every put and delete of a commit land together or not at all. TTLs are Cassandra's.
 * Speaks native protocol v3 (Cassandra 2.1; the same CQL runs on 4 and 5).
 */
export class CassandraSpeedStore implements SpeedStore {
  readonly location: string
  private readonly table: string
  private readonly initialized = new Set<number>()

  private constructor(
    private readonly client: cassandra.Client,
    options: CassandraSpeedStoreOptions,
  ) {
    this.location = `cassandra://${options.host}:${options.port}/${options.keyspace}`
    this.table = `${options.keyspace}.speed_state`
  }

  static async open(options: CassandraSpeedStoreOptions): Promise<CassandraSpeedStore> {
    if (!/^[a-z][a-z0-9_]{0,47}$/.test(options.keyspace))
      throw new StoreError(
        'invalid',
        'open speed store',
        options.keyspace,
        'a keyspace is a lower-case letter then up to 47 letters, digits or _',
      )
    const client = new cassandra.Client({
      contactPoints: [options.host],
      localDataCenter: options.localDataCenter ?? 'datacenter1',
      protocolOptions: { port: options.port, maxVersion: 3 },
      pooling: { maxRequestsPerConnection: 1024 },
    })
    try {
      await client.connect()
      await createSchema(client, options)
    } catch (cause) {
      await client.shutdown().catch(() => undefined)
      throw new StoreError(
        'unavailable',
        'open speed store',
        `${options.host}:${options.port}/${options.keyspace}`,
        cause instanceof Error ? cause.message : String(cause),
        { cause },
      )
    }
    return new CassandraSpeedStore(client, options)
  }

  private async version(route: number): Promise<number> {
    const read = async (): Promise<number | undefined> => {
      const rs = await this.client.execute(
        `SELECT version FROM ${this.table} WHERE route = ? LIMIT 1`,
        [route],
        { prepare: true, consistency: cassandra.types.consistencies.serial },
      )
      const v: unknown = rs.first()?.['version']
      return v instanceof Long ? v.toNumber() : undefined
    }
    const found = await read()
    if (found !== undefined) return found
    if (!this.initialized.has(route)) {
      // The static version starts at 0 for a route nobody wrote yet (a condition on a missing
      // partition never applies, so the first commit needs a row to compare with).
      await this.client.execute(
        `INSERT INTO ${this.table} (route, version) VALUES (?, ?) IF NOT EXISTS`,
        [route, Long.fromNumber(0)],
        { prepare: true },
      )
      this.initialized.add(route)
    }
    return (await read()) ?? 0
  }

  async read(route: number, keys: readonly string[]): Promise<SpeedRead> {
    // The version first: a commit landing before the values are read makes this read's commit
    // fail its condition, never pass with values older than its version.
    const version = await this.version(route)
    const values = new Map<string, Uint8Array>()
    for (let i = 0; i < keys.length; i += IN_CHUNK) {
      const rs = await this.client.execute(
        `SELECT key, value FROM ${this.table} WHERE route = ? AND key IN ?`,
        [route, keys.slice(i, i + IN_CHUNK)],
        // At least as fresh as the serial read of the version (see above).
        { prepare: true, consistency: cassandra.types.consistencies.localQuorum },
      )
      for (const row of rs.rows) {
        const value: unknown = row['value']
        if (value instanceof Buffer) values.set(row['key'] as string, value)
      }
    }
    return { version, values }
  }

  async *range(
    route: number,
    gte: string,
    lt: string,
  ): AsyncGenerator<readonly [string, Uint8Array]> {
    let pageState: string | undefined
    do {
      const rs = await this.client.execute(
        `SELECT key, value FROM ${this.table} WHERE route = ? AND key >= ? AND key < ?`,
        [route, gte, lt],
        { prepare: true, fetchSize: PAGE, ...(pageState === undefined ? {} : { pageState }) },
      )
      for (const row of rs.rows) {
        const value: unknown = row['value']
        if (value instanceof Buffer) yield [row['key'] as string, value] as const
      }
      pageState = rs.pageState ?? undefined
    } while (pageState !== undefined)
  }

  async commit(route: number, expected: number, changes: SpeedChanges): Promise<boolean> {
    if (expected === 0) await this.version(route)
    const queries: { query: string; params: unknown[] }[] = [
      {
        query: `UPDATE ${this.table} SET version = ? WHERE route = ? IF version = ?`,
        params: [Long.fromNumber(expected + 1), route, Long.fromNumber(expected)],
      },
      ...(changes.puts ?? []).map((p) => ({
        query: `INSERT INTO ${this.table} (route, key, value) VALUES (?, ?, ?) USING TTL ?`,
        params: [
          route,
          p.key,
          Buffer.from(p.value.buffer, p.value.byteOffset, p.value.byteLength),
          p.ttlSeconds ?? 0,
        ],
      })),
      ...(changes.deletes ?? []).map((key) => ({
        query: `DELETE FROM ${this.table} WHERE route = ? AND key = ?`,
        params: [route, key],
      })),
    ]
    const rs = await this.client.batch(queries, { prepare: true })
    return rs.first()?.['[applied]'] === true
  }

  async close(): Promise<void> {
    await this.client.shutdown()
  }
}
