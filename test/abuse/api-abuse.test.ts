import type { Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import type { MatchMessage } from '../../schemas/ports/index.js'
import { tempDir } from '../support/temp-dir.js'
import { until } from '../support/until.js'
import {
  rawExchange,
  rssMb,
  slowestBystander,
  startServeUnderAttack,
  statusOf,
  tweetInteractions,
  type ServeUnderAttack,
} from './abuse-targets.js'

/*
 * Issue 21: each attack that was seen to crash, exhaust or freeze `sluice serve`, run against a
 * real process. After each, the process is alive and answers another key at once; bounds on
 * time and memory are generous (shared machines), far from the failures seen (a dead process,
 * a 24 s freeze, an out-of-memory death).
 */

// Far above a normal answer on a loaded machine, far below the 24 s freeze that was seen.
const BYSTANDER_BOUND_MS = 5_000

const HEAP_MB = 320

const WS_UPGRADE = [
  'Connection: Upgrade',
  'Upgrade: websocket',
  'Sec-WebSocket-Version: 13',
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
].join('\r\n')

/** A filter whose compile takes real time: regular expressions, ~70 KB of them. */
function heavyFilter(seed: number, count = 100): string {
  const alternatives = (i: number): string =>
    Array.from({ length: 40 }, (_, j) => `s${seed}a${i}b${j}[c-z]+`).join('|')
  return Array.from(
    { length: count },
    (_, i) => `interaction.content regex_partial "(${alternatives(i)}){1,20}"`,
  ).join(' or ')
}

describe('sluice serve under attack', () => {
  const dir = tempDir('abuse-api')
  let server: ServeUnderAttack
  const published: MatchMessage[] = []
  let feeding = true
  // Paused while a test publishes at its own pace.
  let paused = false
  let feeder: Promise<void> = Promise.resolve()

  beforeAll(async () => {
    // A heap of 320 MB, as a small container would give it: what the server keeps must fit.
    server = await startServeUnderAttack(
      dir.path,
      ['--max-streams', '8', '--max-live', '300'],
      [`--max-old-space-size=${HEAP_MB}`],
    )
    // Alice's stream matches all the time, as on a live stack (about 200 matches/s).
    const tweets = tweetInteractions(20_000, 'abuse')
    feeder = (async () => {
      let n = 0
      while (feeding) {
        if (paused) {
          await sleep(50)
          continue
        }
        const batch = tweets
          .slice(n % tweets.length, (n % tweets.length) + 10)
          .map((interaction) => ({ stream: server.aliceStream, interaction }))
        n += batch.length
        published.push(...batch)
        await server.channel.publish(batch)
        await sleep(50)
      }
    })()
    await server.bystander()
  }, 120_000)

  afterAll(async () => {
    feeding = false
    await feeder
    if (server === undefined) return
    await server.stop()
    // What every attack above must not have left: a listener piling up per stall.
    expect(server.log()).not.toMatch(/MaxListenersExceededWarning/)
    dir.remove()
  }, 60_000)

  it('1. survives malformed targets: bad escapes and unparsable paths, as upgrades and requests, with and without a key', async () => {
    const attacks = [
      `GET /live/%E0%A4%A/ws HTTP/1.1\r\nHost: x\r\n${WS_UPGRADE}\r\n\r\n`,
      `GET //[ HTTP/1.1\r\nHost: x\r\n${WS_UPGRADE}\r\n\r\n`,
      `GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      `GET /live/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\nx-api-key: ${server.alice.key}\r\n\r\n`,
      `GET /live/${server.aliceStream}/ws?cursor=%E0%A4%A HTTP/1.1\r\nHost: x\r\n${WS_UPGRADE}\r\n\r\n`,
      `GET /replays/%E0%A4%A/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\nx-api-key: ${server.alice.key}\r\n\r\n`,
      `GET * HTTP/1.1\r\nHost: x\r\n${WS_UPGRADE}\r\n\r\n`,
    ]
    for (const attack of attacks) {
      const status = statusOf(await rawExchange(server.port, attack))
      // Answered with a client error, or the connection dropped; never a crash.
      if (status !== undefined) expect(status).toBeLessThan(500)
      await server.bystander()
    }
    // A WebSocket client that breaks the protocol (an unmasked frame) ends its own connection.
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/live/${server.aliceStream}/ws`, {
      headers: { 'x-api-key': server.alice.key },
    })
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
    const closed = new Promise((resolve) => ws.once('close', resolve))
    const socket = (ws as unknown as { _socket: Socket })._socket
    socket.write(Buffer.from([0x81, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f]))
    await closed
    // And one that sends more than a client ever needs to.
    const big = new WebSocket(`ws://127.0.0.1:${server.port}/live/${server.aliceStream}/ws`, {
      headers: { 'x-api-key': server.alice.key },
    })
    await new Promise((resolve, reject) => big.once('open', resolve).once('error', reject))
    const bigClosed = new Promise<number>((resolve) => big.once('close', resolve))
    big.on('error', () => undefined)
    big.send(Buffer.alloc(1024 * 1024))
    expect(await bigClosed).toBe(1009)
    expect(await server.bystander()).toBeLessThan(BYSTANDER_BOUND_MS)
  })

  it('2. keeps its memory bounded under huge and ever-different variables, declared or not', async () => {
    const before = rssMb(server.child.pid as number)
    let peak = before
    const sample = setInterval(
      () => (peak = Math.max(peak, rssMb(server.child.pid as number))),
      100,
    )
    try {
      // Bodies of 10 MB are refused before they are parsed.
      const huge = JSON.stringify({ query: '{ __typename }', variables: { v: 'x'.repeat(10e6) } })
      const refused = await rawExchange(
        server.port,
        Buffer.concat([
          Buffer.from(
            `POST /graphql HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\nx-api-key: ${server.alice.key}\r\ncontent-length: ${huge.length}\r\n\r\n`,
          ),
          Buffer.from(huge),
        ]),
        10_000,
      )
      expect(statusOf(refused)).toBe(413)
      // 600 answers of 1 MB variables each, all different (twice the heap): the response
      // cache keys them by a hash and keeps only what its byte bound allows.
      const slowest = await slowestBystander(server, async () => {
        for (let round = 0; round < 60; round++)
          await Promise.all(
            Array.from({ length: 10 }, async (_, i) => {
              const filler = `${round}-${i}-`.padEnd(1_000_000, 'v')
              const declared = i % 2 === 0
              const answer = await server.graphql(
                server.alice.key,
                declared ? 'query($v: ID!) { stream(hash: $v) { name } }' : '{ __typename }',
                { v: filler },
              )
              expect(answer.status).toBe(200)
              expect(answer.body).toEqual({
                data: declared ? { stream: null } : { __typename: 'Query' },
              })
            }),
          )
      })
      console.log(`abuse 2: slowest answer to another key ${slowest.toFixed(0)} ms`)
      expect(slowest).toBeLessThan(BYSTANDER_BOUND_MS)
    } finally {
      clearInterval(sample)
    }
    // 600 MB of variables went through a 320 MB heap; old code kept every one and died.
    expect(peak).toBeLessThan(HEAP_MB + 250)
    console.log(`abuse 2: RSS ${before.toFixed(0)} MB before, ${peak.toFixed(0)} MB at most`)
    expect(peak - before).toBeLessThan(HEAP_MB)
  })

  it('3. shares one compile among aliases, compiles off the event loop, and charges work per filter', async () => {
    const filter = heavyFilter(1)
    expect(filter.length).toBeGreaterThan(60_000)
    const aliases = Array.from(
      { length: 100 },
      (_, i) => `v${i}: validateCsdl(csdl: $c) { valid hash }`,
    )
    let answer: Awaited<ReturnType<ServeUnderAttack['graphql']>> | undefined
    const slowest = await slowestBystander(server, async () => {
      answer = await server.graphql(
        server.alice.key,
        `query($c: String!) { ${aliases.join(' ')} }`,
        { c: filter },
      )
    })
    expect(answer?.body.errors).toBeUndefined()
    const results = Object.values(answer?.body.data ?? {}) as { valid: boolean; hash: string }[]
    expect(results).toHaveLength(100)
    expect(new Set(results.map((r) => `${r.valid}:${r.hash}`)).size).toBe(1)
    expect(results[0]?.valid).toBe(true)
    expect(slowest).toBeLessThan(BYSTANDER_BOUND_MS)

    // Many different large filters at once: each is work to compile; the key's work budget
    // runs out and it is told so, while bob is answered throughout.
    const mallory = await server.newKey('mallory')
    const words = (r: number, i: number): string =>
      Array.from({ length: 5000 }, (_, w) => `w${r}x${i}x${w}`).join(',')
    const codes: unknown[] = []
    const slowestAgain = await slowestBystander(server, async () => {
      await Promise.all(
        Array.from({ length: 4 }, async (_, r) => {
          const fields = Array.from(
            { length: 20 },
            (_, i) => `f${i}: validateCsdl(csdl: $c${i}) { valid }`,
          )
          const vars = Object.fromEntries(
            Array.from({ length: 20 }, (_, i) => [
              `c${i}`,
              `interaction.content contains_any "${words(r, i)}"`,
            ]),
          )
          const decl = Object.keys(vars)
            .map((v) => `$${v}: String!`)
            .join(', ')
          const a = await server.graphql(
            mallory.key,
            `query(${decl}) { ${fields.join(' ')} }`,
            vars,
          )
          codes.push(a.body.errors?.[0]?.extensions?.['code'])
        }),
      )
    })
    console.log(
      `abuse 3: slowest answer to another key ${slowest.toFixed(0)} ms (100 aliases), ${slowestAgain.toFixed(0)} ms (80 large filters)`,
    )
    expect(slowestAgain).toBeLessThan(BYSTANDER_BOUND_MS)
    expect(codes).toContain('RATE_LIMITED')
  })

  it('4. ends a revoked key’s live connections and resolves stream references only among a key’s own or shared streams', async () => {
    const { key: carol, id: carolId } = await server.newKey('carol')
    const stream = await server.graphql(
      carol,
      'mutation { createStream(csdl: "interaction.id exists and interaction.type != \\"zz\\"", name: "c") { hash } }',
    )
    const carolStream = (stream.body.data?.['createStream'] as { hash: string }).hash
    // Carol's matches flow on her stream too.
    let flowing = true
    const feeding = (async () => {
      const tweets = tweetInteractions(5000, 'carol')
      for (let n = 0; flowing; n += 10) {
        await server.channel.publish(
          tweets.slice(n % 5000, (n % 5000) + 10).map((interaction) => ({
            stream: carolStream,
            interaction,
          })),
        )
        await sleep(50)
      }
    })()
    try {
      const http = await fetch(`${server.url}/live/${carolStream}`, {
        headers: { 'x-api-key': carol },
      })
      expect(http.status).toBe(200)
      const reader = http.body?.getReader()
      let httpText = ''
      const httpDone = (async () => {
        for (;;) {
          const r = await reader?.read()
          if (r === undefined || r.done) return
          httpText += Buffer.from(r.value).toString('utf8')
        }
      })()
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/live/${carolStream}/ws?key=${carol}`)
      let wsMessages = 0
      ws.on('message', () => wsMessages++)
      const wsClosed = new Promise<[number, string]>((resolve) =>
        ws.once('close', (code: number, reason: Buffer) => resolve([code, reason.toString()])),
      )
      await until(
        'both live clients receive matches',
        () => wsMessages > 5 && httpText.length > 5000,
        20_000,
      )
      const revoked = await server.graphql(
        server.admin.key,
        'mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }',
        { id: carolId },
      )
      expect(revoked.status).toBe(200)
      const revokedAt = Date.now()
      const [code, reason] = await wsClosed
      await httpDone
      // Within seconds (the check runs every 2 s; a key is verified anew within 5 s).
      expect(Date.now() - revokedAt).toBeLessThan(10_000)
      expect(code).toBe(4001)
      expect(reason).toMatch(/revoked/)
      expect(httpText.trimEnd().split('\n').at(-1)).toMatch(/"end":"refused".*revoked/)
    } finally {
      flowing = false
      await feeding
    }

    // Alice cannot refer to bob's stream, and cannot tell it from a hash nobody has.
    const bobs = await server.graphql(
      server.bob.key,
      'mutation { createStream(csdl: "language.tag == \\"fr\\"", name: "french") { hash } }',
    )
    const bobStream = (bobs.body.data?.['createStream'] as { hash: string }).hash
    const nobody = 'f'.repeat(32)
    const validate = async (hash: string) =>
      (
        await server.graphql(
          server.alice.key,
          'query($c: String!) { validateCsdl(csdl: $c) { valid errors { code message } } }',
          { c: `stream "${hash}"` },
        )
      ).body.data?.['validateCsdl'] as {
        valid: boolean
        errors: { code: string; message: string }[]
      }
    const forBob = await validate(bobStream)
    const forNobody = await validate(nobody)
    expect(forBob.valid).toBe(false)
    expect(forBob.errors.map((e) => e.code)).toEqual(['unknown_stream'])
    expect(forBob.errors[0]?.message.replace(bobStream, 'H')).toBe(
      forNobody.errors[0]?.message.replace(nobody, 'H'),
    )
    const refused = await server.graphql(
      server.alice.key,
      'mutation($c: String!) { createStream(csdl: $c, name: "spy") { hash } }',
      { c: `stream "${bobStream}"` },
    )
    expect(refused.body.errors?.[0]?.extensions?.['code']).toBe('CSDL_INVALID')
    // Once bob shares it, it is hers to use.
    await server.graphql(
      server.bob.key,
      'mutation($h: ID!) { shareStream(hash: $h, shared: true) { shared } }',
      { h: bobStream },
    )
    expect((await validate(bobStream)).valid).toBe(true)
  })

  it('6. delivers a 100-reader stream to every reader, and a stalled HTTP reader leaks nothing', async () => {
    const readers = Array.from(
      { length: 100 },
      () =>
        new WebSocket(
          `ws://127.0.0.1:${server.port}/live/${server.aliceStream}/ws?key=${server.alice.key}`,
        ),
    )
    const received = readers.map(() => new Set<string>())
    let cutOff = 0
    readers.forEach((ws, r) => {
      ws.on('message', (data: Buffer) => {
        const id = /"id":"(fan-[^"]+)"/.exec(data.toString('utf8', 0, 400))?.[1]
        if (id !== undefined) received[r]?.add(id)
      })
      ws.on('close', (code: number) => {
        if (code === 4000) cutOff++
      })
    })
    await Promise.all(
      readers.map((ws) => new Promise((r, j) => ws.once('open', r).once('error', j))),
    )
    // Every reader is followed once the server counts it (a socket is admitted after opening).
    await until(
      '100 readers followed',
      async () => {
        const metrics = await (await fetch(`${server.url}/metrics`)).text()
        return Number(/^sluice_api_live_consumers (\S+)$/m.exec(metrics)?.[1]) >= 100
      },
      30_000,
    )
    // A reader that stalls: it reads nothing for a while, then a little, again and again.
    const stalled = await fetch(`${server.url}/live/${server.aliceStream}`, {
      headers: { 'x-api-key': server.alice.key },
    })
    const stalledReader = stalled.body?.getReader()
    // 300 matches/s for 6 s on alice's stream (bench/live measures 500/s).
    paused = true
    const tweets = tweetInteractions(1800, 'fan')
    const started = performance.now()
    let reads = 0
    try {
      for (let n = 0; n < tweets.length;) {
        const due = Math.min(
          tweets.length,
          Math.floor(((performance.now() - started) / 1000) * 300),
        )
        await server.channel.publish(
          tweets.slice(n, due).map((interaction) => ({ stream: server.aliceStream, interaction })),
        )
        n = due
        if (++reads % 25 === 0) await stalledReader?.read()
        await sleep(20)
      }
      await until(
        'every reader has every match',
        () => received.every((s) => s.size === tweets.length),
        30_000,
      )
    } finally {
      paused = false
    }
    expect(cutOff).toBe(0)
    await stalledReader?.cancel()
    for (const ws of readers) ws.terminate()
    expect(await server.bystander()).toBeLessThan(BYSTANDER_BOUND_MS)
  })

  it('7. answers the small things right: ids, dot segments, keyless bodies, CORS, stream limits', async () => {
    // An id that is not one: nothing, not a 500.
    const odd = await server.graphql(
      server.alice.key,
      '{ recording(id: "..") { id } replay(id: "../x") { id } }',
    )
    expect(odd.status).toBe(200)
    expect(odd.body.errors).toBeUndefined()
    expect(odd.body.data).toEqual({ recording: null, replay: null })
    for (const path of [
      '/recordings/../x',
      '/recordings/../../keys/x',
      '/replays/%2e%2e/%2e%2e/keys',
    ])
      expect(
        statusOf(
          await rawExchange(
            server.port,
            `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nx-api-key: ${server.alice.key}\r\n\r\n`,
          ),
        ),
      ).toBe(404)
    // Eight 24 MB bodies without a key: refused before they are read.
    const before = rssMb(server.child.pid as number)
    const started = performance.now()
    const body = `{"query":"{ __typename }","variables":{"v":"${'x'.repeat(24e6)}"}}`
    const keyless = await Promise.all(
      Array.from({ length: 8 }, async () =>
        statusOf(
          await rawExchange(
            server.port,
            Buffer.concat([
              Buffer.from(
                `POST /graphql HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`,
              ),
              Buffer.from(body),
            ]),
            10_000,
          ),
        ),
      ),
    )
    expect(keyless).toEqual(Array.from({ length: 8 }, () => 401))
    expect(performance.now() - started).toBeLessThan(15_000)
    expect(rssMb(server.child.pid as number) - before).toBeLessThan(100)
    // No origin is let in unless configured.
    const cors = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': server.alice.key,
        origin: 'http://evil.example',
      },
      body: JSON.stringify({ query: '{ __typename }' }),
    })
    expect(cors.headers.get('access-control-allow-origin')).toBeNull()
    // A key's streams and their names are bounded (this server: 8 streams).
    const created: unknown[] = []
    for (let i = 0; i < 9; i++) {
      const a = await server.graphql(
        server.alice.key,
        'mutation($c: String!) { createStream(csdl: $c, name: "s") { hash } }',
        { c: `interaction.content contains "limit${i}"` },
      )
      created.push(a.body.errors?.[0]?.extensions?.['code'] ?? 'ok')
    }
    // Alice has one stream already: seven more fit.
    expect(created.filter((c) => c === 'ok')).toHaveLength(7)
    expect(created.slice(7)).toEqual(['LIMIT_EXCEEDED', 'LIMIT_EXCEEDED'])
    const longName = await server.graphql(
      server.bob.key,
      'mutation($n: String!) { createStream(csdl: "interaction.id exists", name: $n) { hash } }',
      { n: 'n'.repeat(10_000) },
    )
    expect(longName.body.errors?.[0]?.extensions?.['code']).toBe('LIMIT_EXCEEDED')
  })
})
