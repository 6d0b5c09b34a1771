import type { ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { RedisMatchChannel } from '../../infra/adapters/match-channel/redis-match-channel.js'
import { LocalDirObjectStore } from '../../infra/adapters/object-store/local-dir-adapter.js'
import { startRedis } from '../../infra/launchers/redis-launcher.js'
import type { LaunchedProcess } from '../../infra/launchers/launched-process.js'
import { StreamCatalog } from '../../query-dsl/index.js'
import { augment, normalizeLine, type Interaction } from '../../schemas/index.js'
import { ApiKeys } from '../../serving/index.js'
import { dataLines } from '../support/shared-data.js'
import { spawnSluice, stderrMatch, stopSluice } from '../support/sluice-process.js'

/** A key and its id. */
export interface TestKey {
  readonly key: string
  readonly id: string
}

/** Output a process printed (stderr), kept whole for the checks that read it. */
function captured(child: ChildProcess): () => string {
  let text = ''
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')))
  return () => text
}

/** The resident set of a process, in MB, from /proc (Linux, as on these machines). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1])
  return kb / 1024
}

/** Whether `text` holds a whole answer: its headers and as much body as they announce. */
function wholeAnswer(text: string): boolean {
  const end = text.indexOf('\r\n\r\n')
  if (end < 0) return false
  const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end))
  return length !== null && text.length - end - 4 >= Number(length[1])
}

/**
 * Sends `text` on a fresh connection and returns what came back: a whole answer, or what came
 * before the connection closed (or `waitMs` passed).
 */
export function rawExchange(port: number, text: string | Buffer, waitMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let out = ''
    const done = (): void => {
      clearTimeout(timer)
      socket.destroy()
      resolve(out)
    }
    const timer = setTimeout(done, waitMs)
    socket.on('data', (d: Buffer) => {
      out += d.toString('latin1')
      if (wholeAnswer(out)) done()
    })
    socket.on('close', done)
    socket.on('error', done)
    socket.write(text)
  })
}

/** The status of an HTTP answer's first line, or undefined when there was none. */
export function statusOf(answer: string): number | undefined {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(answer)
  return m === null ? undefined : Number(m[1])
}

/** Real tweets as interactions, each copy with a fresh id. */
export function tweetInteractions(count: number, prefix: string): Interaction[] {
  const base: Interaction[] = []
  for (const line of dataLines('twitter-v1-sample.jsonl.gz').slice(0, 400)) {
    const o = normalizeLine(line, 'twitter-v1')
    if (o.kind === 'interactions') for (const i of o.interactions) base.push(augment(i))
  }
  return Array.from({ length: count }, (_, n) => {
    const i = base[n % base.length] as Interaction
    return { ...i, interaction: { ...i.interaction, id: `${prefix}-${n}` } }
  })
}

export interface ServeUnderAttack {
  readonly url: string
  readonly port: number
  readonly child: ChildProcess
  /** Everything it logged so far. */
  readonly log: () => string
  readonly admin: TestKey
  readonly alice: TestKey
  readonly bob: TestKey
  /** Alice's stream (every interaction). */
  readonly aliceStream: string
  /** Where matches are published as the speed processes publish them. */
  readonly channel: RedisMatchChannel
  readonly store: LocalDirObjectStore
  /** POST /graphql as `key`; the status and the parsed answer. */
  graphql(
    key: string | undefined,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{ status: number; body: GraphQLAnswer }>
  /** A new (non-admin) key, made through the API by the admin. */
  newKey(name: string): Promise<TestKey>
  /**
   * How long a trivial query of bob's takes (ms); throws if the process is gone or the answer
   * is not right. Bob never attacks: his latency is what every other key sees.
   */
  bystander(): Promise<number>
  stop(): Promise<void>
}

export interface GraphQLAnswer {
  readonly data?: Record<string, unknown> | null
  readonly errors?: readonly {
    readonly message: string
    readonly extensions?: Record<string, unknown>
  }[]
}

/**
 * A real `sluice serve` process over a local store and LevelDB, following a real Redis's
 * matches channel (so live delivery, recordings and previews are on), with three keys: an
 * admin, alice (who attacks) and bob (who only checks that the server still answers him).
 */
export async function startServeUnderAttack(
  dir: string,
  extraArgs: readonly string[] = [],
  nodeArgs: readonly string[] = [],
): Promise<ServeUnderAttack & { readonly redis: LaunchedProcess }> {
  const redis = await startRedis()
  const prefix = `abuse${process.pid}${Date.now()}`
  const store = new LocalDirObjectStore(join(dir, 'store'))
  const keys = new ApiKeys(store)
  const made = async (name: string, admin = false): Promise<TestKey> => {
    const { key, record } = await keys.create(name, admin)
    return { key, id: record.id }
  }
  const admin = await made('admin', true)
  const alice = await made('alice')
  const bob = await made('bob')
  const aliceStream = (
    await new StreamCatalog(store).create('interaction.id exists', 'everything', alice.id)
  ).hash
  const child = spawnSluice(
    [
      'serve',
      ...['--store', `file://${join(dir, 'store')}`],
      ...['--speed-store', `level://${join(dir, 'speed')}`],
      ...['--queue', `${redis.url}?prefix=${prefix}`],
      ...['--http', '127.0.0.1:0', '--cache-dir', join(dir, 'cache')],
      ...extraArgs,
    ],
    nodeArgs,
  )
  const log = captured(child)
  const [, url] = await stderrMatch(child, /"url":"(http:\/\/[^"]+)\/graphql"/)
  const base = url as string
  const port = Number(new URL(base).port)
  const channel = new RedisMatchChannel({
    host: '127.0.0.1',
    port: Number(new URL(redis.url).port),
    prefix,
  })
  const graphql: ServeUnderAttack['graphql'] = async (key, query, variables = {}) => {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(key === undefined ? {} : { 'x-api-key': key }),
      },
      body: JSON.stringify({ query, variables }),
    })
    return { status: res.status, body: (await res.json()) as GraphQLAnswer }
  }
  return {
    url: base,
    port,
    child,
    log,
    admin,
    alice,
    bob,
    aliceStream,
    channel,
    store,
    redis: redis.process,
    graphql,
    async newKey(name) {
      const made = await graphql(
        admin.key,
        'mutation($n: String!) { createApiKey(name: $n) { key apiKey { id } } }',
        { n: name },
      )
      const created = made.body.data?.['createApiKey'] as { key: string; apiKey: { id: string } }
      return { key: created.key, id: created.apiKey.id }
    },
    async bystander() {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`sluice serve is gone (${child.exitCode ?? child.signalCode}):\n${log()}`)
      const started = performance.now()
      const answer = await graphql(bob.key, '{ me { id } }')
      const took = performance.now() - started
      const me = answer.body.data?.['me'] as { id?: string } | undefined
      if (answer.status !== 200 || me?.id !== bob.id)
        throw new Error(`bob got ${answer.status} ${JSON.stringify(answer.body)}`)
      return took
    },
    async stop() {
      await channel.close()
      await stopSluice(child)
      await redis.process.stop()
    },
  }
}

/**
 * Runs `attack` while bob asks every 200 ms; returns the slowest answer he got (ms). The
 * bound the tests hold it to is generous: the machines are shared, and the failures this
 * guards against were freezes of tens of seconds or a dead process.
 */
export async function slowestBystander(
  server: Pick<ServeUnderAttack, 'bystander'>,
  attack: () => Promise<unknown>,
): Promise<number> {
  let slowest = 0
  let attacking = true
  const watching = (async () => {
    while (attacking) {
      slowest = Math.max(slowest, await server.bystander())
      await sleep(200)
    }
  })()
  try {
    await attack()
  } finally {
    attacking = false
  }
  await watching
  slowest = Math.max(slowest, await server.bystander())
  return slowest
}
