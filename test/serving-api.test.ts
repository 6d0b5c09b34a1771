import type { Server } from 'node:http'
import { writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BatchViews } from '../batch/index.js'
import { listen } from '../infra/http/ops-server.js'
import { openJobQueue } from '../infra/adapters/open-job-queue.js'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { LevelSpeedStore } from '../infra/adapters/speed-store/level-speed-store.js'
import { LevelShardStore } from '../infra/adapters/view-shards/level-shard-store.js'
import { StreamCatalog } from '../query-dsl/index.js'
import { VIEWS } from '../schemas/index.js'
import {
  ApiKeys,
  createApiServer,
  FilterService,
  MergedViews,
  ReplayService,
  StreamAnalytics,
  type ApiLimits,
  type ReplayTask,
} from '../serving/index.js'
import { SpeedViews } from '../speed/index.js'
import { tempDir } from './support/temp-dir.js'

interface GraphQLAnswer {
  readonly status: number
  readonly headers: Headers
  readonly data?: Record<string, unknown> | null
  readonly errors?: readonly { message: string; extensions?: Record<string, unknown> }[]
}

describe('the GraphQL API: keys, ownership and limits', () => {
  const dir = tempDir('serving-api')
  const store = new LocalDirObjectStore(`${dir.path}/store`)
  const keys = new ApiKeys(store)
  const logged: Record<string, unknown>[] = []
  const servers: Server[] = []
  let speedStore: LevelSpeedStore
  let batch: BatchViews
  let analytics: StreamAnalytics
  let alice = ''
  let bob = ''
  let admin = ''

  async function start(limits: Partial<ApiLimits> = {}, responseCacheMs = 1000): Promise<string> {
    const catalog = new StreamCatalog(store)
    const { server } = createApiServer({
      catalog,
      filters: new FilterService(catalog),
      replays: new ReplayService(store, replayQueue, catalog),
      store,
      keys,
      analytics,
      health: () => Promise.resolve({ status: 'ok', checks: {} }),
      log: (event, fields) => logged.push({ event, ...fields }),
      limits,
      responseCacheMs,
    })
    servers.push(server)
    return `${await listen(server, '127.0.0.1', 0)}/graphql`
  }

  async function ask(
    url: string,
    key: string | undefined,
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<GraphQLAnswer> {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
      },
      body: JSON.stringify({ query, variables }),
    })
    return { status: res.status, headers: res.headers, ...((await res.json()) as object) }
  }

  const replayQueue = openJobQueue<ReplayTask>({ kind: 'memory' }, 'replays')
  let url = ''
  beforeAll(async () => {
    speedStore = await LevelSpeedStore.open(`${dir.path}/speed`)
    batch = new BatchViews(store, new LevelShardStore(), `${dir.path}/cache`, VIEWS)
    analytics = new StreamAnalytics(
      new MergedViews(batch, new SpeedViews(speedStore, VIEWS, 4), VIEWS),
    )
    alice = (await keys.create('alice')).key
    bob = (await keys.create('bob')).key
    admin = (await keys.create('ops', true)).key
    url = await start()
  })
  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections()
      await new Promise((r) => s.close(r))
    }
    await batch.close()
    await speedStore.close()
    await replayQueue.close()
    dir.remove()
  })

  it('answers 401 for a missing, unknown or revoked key, saying how to send one', async () => {
    const none = await ask(url, undefined, '{ me { id } }')
    expect(none.status).toBe(401)
    expect(none.errors?.[0]?.message).toMatch(/x-api-key: KEY/)
    expect(none.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED')
    const wrong = await ask(url, 'sluice_nope', '{ me { id } }')
    expect(wrong.status).toBe(401)
    const { key, record } = await keys.create('temporary')
    expect((await ask(url, key, '{ me { id name } }')).data).toEqual({
      me: { id: record.id, name: 'temporary' },
    })
    const revoked = await ask(
      url,
      admin,
      'mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }',
      {
        id: record.id,
      },
    )
    expect(revoked.errors).toBeUndefined()
    const after = await ask(url, key, '{ me { id } }')
    expect(after.status).toBe(401)
    expect(after.errors?.[0]?.message).toMatch(/unknown or revoked/)
  })

  it('keeps each key to its own streams: no reading, deleting or learning of another', async () => {
    const created = await ask(
      url,
      alice,
      'mutation { createStream(csdl: "language.tag == \\"en\\"", name: "english") { hash name dpu } }',
    )
    expect(created.errors).toBeUndefined()
    const hash = (created.data?.['createStream'] as { hash: string }).hash
    expect(hash).toMatch(/^[0-9a-f]{32}$/)
    expect((await ask(url, alice, '{ streams { hash name } }')).data).toEqual({
      streams: [{ hash, name: 'english' }],
    })
    expect((await ask(url, bob, '{ streams { hash } }')).data).toEqual({ streams: [] })
    expect(
      (await ask(url, bob, 'query($h: ID!) { stream(hash: $h) { hash } }', { h: hash })).data,
    ).toEqual({ stream: null })
    const deleting = await ask(url, bob, 'mutation($h: ID!) { deleteStream(hash: $h) }', {
      h: hash,
    })
    expect(deleting.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND')
    // Bob registering the same filter gets a registration of his own, under his own name.
    await ask(
      url,
      bob,
      'mutation { createStream(csdl: "language.tag == \\"en\\"", name: "mine") { hash } }',
    )
    expect((await ask(url, bob, '{ streams { hash name } }')).data).toEqual({
      streams: [{ hash, name: 'mine' }],
    })
    expect((await ask(url, alice, '{ streams { name } }')).data).toEqual({
      streams: [{ name: 'english' }],
    })
    // Alice's deletion leaves Bob's registration.
    expect(
      (await ask(url, alice, 'mutation($h: ID!) { deleteStream(hash: $h) }', { h: hash })).data,
    ).toEqual({ deleteStream: true })
    expect((await ask(url, alice, '{ streams { hash } }')).data).toEqual({ streams: [] })
    expect((await ask(url, bob, '{ streams { hash } }')).data).toEqual({ streams: [{ hash }] })
  })

  it('reuses an answer only for the key that asked, never past a revocation or its own change', async () => {
    // Answers live for a minute here, so nothing below depends on how fast it runs.
    const url = await start({}, 60_000)
    const { key, record } = await keys.create('cached')
    const made = await ask(
      url,
      key,
      'mutation { createStream(csdl: "interaction.hashtags exists", name: "tags") { hash } }',
    )
    const hash = (made.data?.['createStream'] as { hash: string }).hash
    const query = 'query($h: ID!) { stream(hash: $h) { hash name } }'
    const mine = await ask(url, key, query, { h: hash })
    expect(mine.data).toEqual({ stream: { hash, name: 'tags' } })
    // The identical request from another key is answered for that key.
    expect((await ask(url, alice, query, { h: hash })).data).toEqual({ stream: null })
    // The same request again is answered from the cache; the identical request from another key
    // was not.
    const reused = async (): Promise<number> => {
      const text = await (await fetch(url.replace('/graphql', '/metrics'))).text()
      return Number(/^sluice_api_answers_reused_total (\S+)$/m.exec(text)?.[1])
    }
    const before = await reused()
    expect((await ask(url, key, query, { h: hash })).data).toEqual(mine.data)
    expect(await reused()).toBe(before + 1)
    // The key's own deletion is seen at once, though the answer was cached a moment ago.
    await ask(url, key, 'mutation($h: ID!) { deleteStream(hash: $h) }', { h: hash })
    expect((await ask(url, key, query, { h: hash })).data).toEqual({ stream: null })
    await ask(
      url,
      key,
      'mutation { createStream(csdl: "interaction.hashtags exists", name: "again") { hash } }',
    )
    expect((await ask(url, key, query, { h: hash })).data).toEqual({
      stream: { hash, name: 'again' },
    })
    // Revoked: the cached answer is not served.
    await ask(url, admin, 'mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: record.id })
    expect((await ask(url, key, query, { h: hash })).status).toBe(401)
  })

  it('validates CSDL with positioned errors, and refuses a bad filter on creation', async () => {
    const ok = await ask(
      url,
      alice,
      '{ validateCsdl(csdl: "interaction.content contains \\"rain\\"") { valid hash dpu errors { line } } }',
    )
    expect(ok.data?.['validateCsdl']).toMatchObject({ valid: true, errors: [] })
    const bad = await ask(
      url,
      alice,
      'query($c: String!) { validateCsdl(csdl: $c) { valid hash errors { line column code message } } }',
      {
        c: 'interaction.content contains "rain"\nand language.tag ==',
      },
    )
    const v = bad.data?.['validateCsdl'] as {
      valid: boolean
      errors: { line: number; column: number }[]
    }
    expect(v.valid).toBe(false)
    expect(v.errors[0]?.line).toBe(2)
    expect(v.errors[0]?.column).toBeGreaterThan(1)
    const refused = await ask(
      url,
      alice,
      'mutation { createStream(csdl: "interaction.nope == 1", name: "x") { hash } }',
    )
    expect(refused.errors?.[0]?.extensions?.['code']).toBe('CSDL_INVALID')
    expect(refused.errors?.[0]?.message).toMatch(/1:1/)
  })

  it('lets only an admin key manage keys (403 otherwise)', async () => {
    const refused = await ask(url, alice, 'mutation { createApiKey(name: "x") { key } }')
    expect(refused.status).toBe(403)
    expect(refused.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN')
    expect((await ask(url, bob, '{ apiKeys { id } }')).status).toBe(403)
    const made = await ask(
      url,
      admin,
      'mutation { createApiKey(name: "carol") { key apiKey { id admin } } }',
    )
    const carol = (made.data?.['createApiKey'] as { key: string }).key
    expect((await ask(url, carol, '{ me { name admin } }')).data).toEqual({
      me: { name: 'carol', admin: false },
    })
    const listed = await ask(url, admin, '{ apiKeys { name } }')
    expect((listed.data?.['apiKeys'] as { name: string }[]).map((k) => k.name)).toContain('carol')
  })

  it('refuses over-deep and over-costly queries, and over-large ranges, saying what to change', async () => {
    const shallow = await start({ maxDepth: 2 })
    const deep = await ask(
      shallow,
      alice,
      '{ streams { timeseries(from: 0, to: 3600000, granularity: HOUR) { points { count } } } }',
    )
    expect(deep.data ?? null).toBeNull()
    expect(deep.errors?.[0]?.message).toMatch(/depth limit of 2 exceeded, found 4/)
    const cheap = await start({ maxCost: 10 })
    const costly = await ask(
      cheap,
      alice,
      '{ streams { hash name csdl dpu createdAt } me { id name admin createdAt } }',
    )
    expect(costly.errors?.[0]?.message).toMatch(/[Cc]ost limit of 10 exceeded/)
    await ask(
      url,
      alice,
      'mutation { createStream(csdl: "interaction.type == \\"twitter\\"", name: "t") { hash } }',
    )
    const huge = await ask(
      url,
      alice,
      '{ streams { timeseries(from: "2020-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z", granularity: MINUTE) { points { count } } } }',
    )
    expect(huge.errors?.[0]?.extensions?.['code']).toBe('QUERY_TOO_COSTLY')
    expect(huge.errors?.[0]?.message).toMatch(/coarser granularity/)
  })

  it('limits each key’s request rate with 429 and Retry-After, without touching other keys', async () => {
    const slow = await start({ ratePerSecond: 1, burst: 2 })
    // The same query each time: an answer the response cache holds is still counted.
    expect((await ask(slow, alice, '{ streams { hash } }')).status).toBe(200)
    expect((await ask(slow, alice, '{ streams { hash } }')).status).toBe(200)
    const third = await ask(slow, alice, '{ streams { hash } }')
    expect(third.status).toBe(429)
    expect(third.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(third.errors?.[0]?.extensions?.['code']).toBe('RATE_LIMITED')
    expect((await ask(slow, bob, '{ me { id } }')).status).toBe(200)
  })

  it('masks an unexpected error with an id, and logs it in full under that id', async () => {
    const made = await ask(
      url,
      bob,
      'mutation { createStream(csdl: "interaction.type == \\"reddit\\"", name: "r") { hash } }',
    )
    const hash = (made.data?.['createStream'] as { hash: string }).hash
    // A damaged catalog entry: reading it fails in a way no user input explains.
    writeFileSync(`${dir.path}/store/streams/${hash}.json`, '{ not json')
    const answer = await ask(url, bob, 'query($h: ID!) { stream(hash: $h) { hash } }', { h: hash })
    const error = answer.errors?.[0]
    expect(error?.extensions?.['code']).toBe('INTERNAL_SERVER_ERROR')
    const id = error?.extensions?.['errorId'] as string
    expect(error?.message).toContain(id)
    expect(error?.message).not.toMatch(/JSON/)
    const entry = logged.find((l) => l['errorId'] === id)
    expect(entry?.['error']).toMatch(/JSON/)
    expect(entry?.['stack']).toBeDefined()
  })
})
