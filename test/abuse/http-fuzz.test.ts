import type { ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSluice, stderrMatch, stopSluice } from '../support/sluice-process.js'
import { tempDir } from '../support/temp-dir.js'
import {
  rawExchange,
  startServeUnderAttack,
  statusOf,
  type ServeUnderAttack,
} from './abuse-targets.js'

/*
 * Issue 21: random requests against the HTTP surfaces of a real `sluice serve` and `sluice
 * collect --http`: request lines, paths, headers, Range values, upgrades, bodies, GraphQL
 * documents and variables. Whatever comes in, the answer is a status below 500 (the
 * last-resort guard's 500, which names a logged error id, is the only one allowed and is
 * reported), and the process lives on. The number of cases is bounded to fit CI.
 */

const RUNS = Number(process.env['SLUICE_FUZZ_RUNS'] ?? 250)

const METHODS = ['GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH', 'TRACE', 'get', 'X']

/** Path pieces that reach every route, and ones that break parsers. */
const PIECES = [
  'graphql',
  'live',
  'ws',
  'replays',
  'recordings',
  'chunks',
  'manifest.json',
  'console',
  'health',
  'metrics',
  'v1',
  'ingest',
  'twitter-v1',
  '..',
  '.',
  '',
  '%',
  '%E0%A4%A',
  '%00',
  '%2e%2e',
  '%2F',
  '[',
  '::',
  '?',
  '#',
  '\u00e9',
  'r_0123456789abcdef',
  'rec_0123456789abcdef',
  'x'.repeat(3000),
]

const token = fc.string({ minLength: 0, maxLength: 12 })

const segment = fc.oneof(fc.constantFrom(...PIECES), token)

const path = fc.oneof(
  fc.array(segment, { minLength: 0, maxLength: 6 }).map((parts) => `/${parts.join('/')}`),
  // Each route's shape with odd segments in it.
  fc
    .tuple(
      fc.constantFrom(
        '/live/$/ws',
        '/live/$',
        '/replays/$/$',
        '/recordings/$/$',
        '/console/$',
        '/v1/ingest/$',
      ),
      segment,
      segment,
      fc.option(fc.tuple(fc.constantFrom('cursor', 'key', 'query'), token)),
    )
    .map(
      ([shape, a, b, q]) =>
        `${shape.replace('$', a).replace('$', b)}${q === null ? '' : `?${q[0]}=${q[1]}`}`,
    ),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('*', '//[', '/graphql?query={__typename}', 'http://x/graphql'),
)

const range = fc.oneof(
  fc.tuple(fc.option(fc.nat()), fc.option(fc.nat())).map(([a, b]) => `bytes=${a ?? ''}-${b ?? ''}`),
  fc.constantFrom(
    'bytes=5-2',
    'bytes=-0',
    'bytes=0-',
    'bytes=1-2,4-5',
    'items=0-1',
    'bytes=99999999999999999999-',
  ),
  token,
)

/** A header value: printable ASCII, as HTTP/1.1 carries. */
const headerValue = fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, 'x'))

interface FuzzRequest {
  readonly method: string
  readonly path: string
  readonly headers: readonly [string, string][]
  /** Sent as a WebSocket handshake (the upgrade path of the server). */
  readonly upgrade: boolean
  readonly body: string
}

const HANDSHAKE: readonly [string, string][] = [
  ['connection', 'Upgrade'],
  ['upgrade', 'websocket'],
  ['sec-websocket-version', '13'],
  ['sec-websocket-key', 'dGhlIHNhbXBsZSBub25jZQ=='],
]

function requestArbitrary(keys: readonly string[]): fc.Arbitrary<FuzzRequest> {
  const header = fc.oneof(
    fc.tuple(fc.constant('x-api-key'), fc.oneof(fc.constantFrom(...keys), headerValue)),
    fc.tuple(fc.constant('range'), range),
    fc.tuple(
      fc.constant('content-type'),
      fc.constantFrom(
        'application/json',
        'text/plain',
        'application/graphql',
        'multipart/form-data; boundary=x',
      ),
    ),
    fc.tuple(
      fc.constant('accept'),
      fc.constantFrom('text/event-stream', 'text/html', '*/*', 'application/graphql-response+json'),
    ),
    fc.tuple(fc.constant('content-encoding'), fc.constantFrom('gzip', 'br', 'identity', 'x')),
    fc.tuple(fc.constant('origin'), fc.constantFrom('http://evil.example', 'null')),
    fc.tuple(fc.constant('connection'), fc.constant('Upgrade')),
    fc.tuple(fc.constant('upgrade'), fc.constantFrom('websocket', 'h2c', 'x')),
    fc.tuple(fc.constant('sec-websocket-version'), fc.constantFrom('13', '8', 'x')),
    fc.tuple(fc.constant('sec-websocket-key'), fc.constantFrom('dGhlIHNhbXBsZSBub25jZQ==', 'x')),
    fc.tuple(fc.constant('if-none-match'), headerValue),
    fc.tuple(
      fc.constant('authorization'),
      headerValue.map((v) => `Bearer ${v}`),
    ),
    fc.tuple(
      token.map((t) => `x-${t.replace(/[^a-z]/gi, '') || 'h'}`),
      headerValue,
    ),
  )
  const body = fc.oneof(
    fc.constant(''),
    fc.string({ maxLength: 200 }),
    fc.json({ maxDepth: 3 }),
    fc.constantFrom(
      '{"query":"{ __typename }"}',
      '{"query":1}',
      '[]',
      'null',
      '{"query":"{","variables":7}',
    ),
  )
  return fc.record({
    method: fc.constantFrom(...METHODS),
    path,
    headers: fc.array(header, { maxLength: 6 }),
    upgrade: fc.boolean(),
    body,
  })
}

/** The request as bytes: content-length always right (the fuzz is of what it says, not framing). */
function encode(r: FuzzRequest): Buffer {
  const body = Buffer.from(r.body)
  const target = r.path.replace(/[\s]/g, '_') || '/'
  const lines = [`${r.method} ${target} HTTP/1.1`, 'Host: fuzz']
  for (const [name, value] of [...(r.upgrade ? HANDSHAKE : []), ...r.headers])
    lines.push(`${name}: ${value}`)
  lines.push(`content-length: ${body.length}`)
  if (!r.upgrade) lines.push('connection: close')
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), body])
}

/** Root fields of the API with argument names, for documents that reach resolvers. */
const FIELDS: readonly {
  readonly root: 'query' | 'mutation'
  readonly name: string
  readonly args: readonly string[]
  readonly select: string
}[] = [
  {
    root: 'query',
    name: 'validateCsdl',
    args: ['csdl'],
    select: '{ valid hash errors { code line column } }',
  },
  {
    root: 'query',
    name: 'stream',
    args: ['hash'],
    select:
      '{ name shared timeseries(from: $from, to: $to, granularity: HOUR) { points { count } } }',
  },
  {
    root: 'query',
    name: 'streams',
    args: [],
    select:
      '{ hash uniqueAuthors(from: $from, to: $to) { estimate } top(dimension: HASHTAGS, from: $from, to: $to, k: $k) { entries { value } } }',
  },
  { root: 'query', name: 'replay', args: ['id'], select: '{ state }' },
  { root: 'query', name: 'recording', args: ['id'], select: '{ state }' },
  {
    root: 'query',
    name: 'estimateReplay',
    args: ['stream', 'csdl', 'from', 'to', 'types'],
    select: '{ partitions matches }',
  },
  { root: 'query', name: 'me', args: [], select: '{ id }' },
  { root: 'query', name: 'apiKeys', args: [], select: '{ id }' },
  { root: 'mutation', name: 'createStream', args: ['csdl', 'name'], select: '{ hash }' },
  { root: 'mutation', name: 'deleteStream', args: ['hash'], select: '' },
  { root: 'mutation', name: 'shareStream', args: ['hash', 'shared'], select: '{ shared }' },
  {
    root: 'mutation',
    name: 'createReplay',
    args: ['stream', 'csdl', 'from', 'to', 'types', 'name'],
    select: '{ id state }',
  },
  { root: 'mutation', name: 'cancelReplay', args: ['id'], select: '{ state }' },
  {
    root: 'mutation',
    name: 'scheduleRecording',
    args: ['stream', 'start', 'end', 'name'],
    select: '{ id }',
  },
  { root: 'mutation', name: 'cancelRecording', args: ['id'], select: '{ id }' },
]

/** Values of every shape, as GraphQL literals. */
function literal(hashes: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ maxLength: 30 }).map((s) => JSON.stringify(s)),
    fc.integer().map(String),
    fc
      .double({ noNaN: true, noDefaultInfinity: true })
      .map((d) => String(d).replace('Infinity', '1')),
    fc.constantFrom(
      'null',
      'true',
      '"1970-01-01T00:00:00Z"',
      '"2026-12-07T00:00:00Z"',
      '"+275760-09-13T00:00:00Z"',
      '99999999999999999999',
      '-1',
      '[]',
      '["tweet", "x"]',
      '"interaction.content contains \\"a\\""',
      '"stream \\"ffffffffffffffffffffffffffffffff\\""',
      '"interaction.content regex_partial \\"(a+)+$\\""',
      '"\\u0000"',
      `"${'y'.repeat(5000)}"`,
    ),
    fc.constantFrom(...hashes).map((h) => JSON.stringify(h)),
  )
}

function documentArbitrary(
  hashes: readonly string[],
): fc.Arbitrary<{ query: string; variables: unknown }> {
  const call = fc
    .tuple(
      fc.constantFrom(...FIELDS),
      fc.array(fc.tuple(fc.nat(), literal(hashes)), { maxLength: 5 }),
    )
    .map(([field, values]) => {
      const args = values
        .filter(() => field.args.length > 0)
        .map(([i, v]) => `${field.args[i % field.args.length] as string}: ${v}`)
      const unique = [...new Map(args.map((a) => [a.split(':')[0], a])).values()]
      return {
        field,
        text: `${field.name}${unique.length > 0 ? `(${unique.join(', ')})` : ''} ${field.select}`,
      }
    })
  const structured = fc.array(call, { minLength: 1, maxLength: 4 }).chain((calls) => {
    const root = calls[0]?.field.root ?? 'query'
    const same = calls.filter((c) => c.field.root === root)
    return fc
      .record({
        from: literal(hashes),
        to: literal(hashes),
        k: fc.oneof(fc.integer(), fc.constant(5)),
      })
      .map((vars) => ({
        query: `${root}($from: DateTime = "2026-12-01T00:00:00Z", $to: DateTime = "2026-12-02T00:00:00Z", $k: Int = 5) { ${same.map((c, i) => `a${i}: ${c.text}`).join(' ')} }`,
        variables: {
          from: JSON.parse(
            vars.from === 'null' ? '"2026-12-01T00:00:00Z"' : safeJson(vars.from),
          ) as unknown,
          to: JSON.parse(safeJson(vars.to)) as unknown,
          k: vars.k,
        },
      }))
  })
  const junk = fc.record({
    query: fc.string({ maxLength: 120 }),
    variables: fc.jsonValue({ maxDepth: 3 }),
  })
  return fc.oneof({ weight: 4, arbitrary: structured }, { weight: 1, arbitrary: junk })
}

/** A GraphQL literal as JSON (those of literal() are JSON but for big numbers). */
function safeJson(text: string): string {
  try {
    JSON.parse(text)
    return text
  } catch {
    return 'null'
  }
}

describe('fuzzing the HTTP surfaces', () => {
  const dir = tempDir('abuse-fuzz')
  let server: ServeUnderAttack
  let collector: ChildProcess
  let ingestPort = 0
  const guardAnswers: string[] = []

  beforeAll(async () => {
    server = await startServeUnderAttack(dir.path)
    collector = spawnSluice([
      'collect',
      ...['--http', '127.0.0.1:0', '--store', `file://${join(dir.path, 'ingest-store')}`],
      ...['--log-dir', join(dir.path, 'ingest-log')],
    ])
    const [, url] = await stderrMatch(collector, /"event":"collector_listening","url":"([^"]+)"/)
    ingestPort = Number(new URL(url as string).port)
  }, 120_000)

  afterAll(async () => {
    if (collector !== undefined) await stopSluice(collector)
    if (server !== undefined) await server.stop()
    dir.remove()
    if (guardAnswers.length > 0)
      console.warn(`the guard answered 500 to:\n${guardAnswers.join('\n')}`)
  }, 60_000)

  /** What a fuzz case may get back: anything below 500, or the guard's 500 (reported). */
  function acceptable(request: string, answer: string, allow503 = false): boolean {
    const status = statusOf(answer)
    if (status === undefined || status < 500) return true
    if (allow503 && status === 503) return true
    if (status === 500 && /it was logged as/.test(answer)) {
      guardAnswers.push(request.slice(0, 300))
      return true
    }
    return false
  }

  it('sluice serve: random requests, headers, paths, ranges and upgrades', async () => {
    await fc.assert(
      fc.asyncProperty(requestArbitrary([server.alice.key, server.admin.key]), async (r) => {
        const bytes = encode(r)
        const answer = await rawExchange(server.port, bytes, 1500)
        expect(server.child.exitCode, 'sluice serve exited').toBeNull()
        // /health answers 503 when a component is failing: that is the truth, not a crash.
        expect(acceptable(bytes.toString('latin1'), answer, r.path.startsWith('/health'))).toBe(
          true,
        )
      }),
      { numRuns: RUNS },
    )
    await server.bystander()
  })

  it('sluice serve: random GraphQL documents and variables never reach an unexpected error', async () => {
    await fc.assert(
      fc.asyncProperty(
        documentArbitrary([server.aliceStream, 'r_0123456789abcdef']),
        async (doc) => {
          const res = await fetch(`${server.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-api-key': server.alice.key },
            body: JSON.stringify(doc),
          })
          const text = await res.text()
          expect(res.status, text).toBeLessThan(500)
          // A resolver that threw something unexpected is masked as INTERNAL_SERVER_ERROR.
          expect(text, JSON.stringify(doc)).not.toMatch(/INTERNAL_SERVER_ERROR/)
        },
      ),
      { numRuns: RUNS },
    )
    await server.bystander()
  })

  it('sluice collect --http: random requests and bodies', async () => {
    await fc.assert(
      fc.asyncProperty(requestArbitrary(['']), async (r) => {
        const bytes = encode(r)
        const answer = await rawExchange(ingestPort, bytes, 1500)
        expect(collector.exitCode, 'sluice collect exited').toBeNull()
        expect(acceptable(bytes.toString('latin1'), answer, r.path.startsWith('/health'))).toBe(
          true,
        )
      }),
      { numRuns: RUNS },
    )
    const health = await fetch(`http://127.0.0.1:${ingestPort}/health`)
    expect(health.status).toBeLessThan(500)
  })
})
