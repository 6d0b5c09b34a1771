import { createHash } from 'node:crypto'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { replayedRecords } from '../bench/replayed-firehose.js'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { LevelSpeedStore } from '../infra/adapters/speed-store/level-speed-store.js'
import type { ApiService } from '../infra/serve/api-service.js'
import { ApiKeys } from '../serving/index.js'
import { shred } from '../shredder/index.js'
import { putRawSegment } from './support/raw-segments.js'
import { sharedDataDir } from './support/shared-data.js'
import { startEmbeddedApi } from './support/embedded-api.js'
import { tempDir } from './support/temp-dir.js'
import { until } from './support/until.js'

const HOUR = 3_600_000
const START = Date.parse('2026-11-10T00:00:00Z')
const records = [
  ...replayedRecords({
    dataDir: sharedDataDir(),
    records: 1500,
    start: START,
    windowMs: 48 * HOUR,
  }),
]

interface Answer {
  readonly status: number
  readonly data?: Record<string, unknown> | null
  readonly errors?: readonly { message: string; extensions?: Record<string, unknown> }[]
}

describe('replays through the API', () => {
  const dir = tempDir('replay-api')
  const store = new LocalDirObjectStore(`${dir.path}/store`)
  let speedStore: LevelSpeedStore
  let api: ApiService
  let alice = ''
  let bob = ''

  beforeAll(async () => {
    await putRawSegment(store, { source: 'twitter-v1', date: '2026-11-12', segment: 0, records })
    await shred({ store, compact: false })
    speedStore = await LevelSpeedStore.open(`${dir.path}/speed`)
    api = await startEmbeddedApi(store, speedStore, `${dir.path}/cache`, { replayWorkers: 2 })
    const keys = new ApiKeys(store)
    alice = (await keys.create('alice')).key
    bob = (await keys.create('bob')).key
  }, 120_000)
  afterAll(async () => {
    await api.close()
    await speedStore.close()
    dir.remove()
  })

  async function ask(
    key: string,
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<Answer> {
    const res = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ query, variables }),
    })
    return { status: res.status, ...((await res.json()) as object) }
  }

  const download = (key: string | undefined, path: string, range?: string) =>
    fetch(`${api.url}${path}`, {
      headers: {
        ...(key === undefined ? {} : { 'x-api-key': key }),
        ...(range === undefined ? {} : { range }),
      },
    })

  const REPLAY = `fragment r on Replay { id state hash reason manifestUrl
    progress { partitionsTotal partitionsDone rowsTotal rowsScanned matches rowsPerSecond etaSeconds }
    chunks { url presignedUrl name records bytes sha256 firstAt lastAt } }`

  it('estimates, runs and serves a stream replay to its owner only, with ranges', async () => {
    const made = await ask(
      alice,
      'mutation { createStream(csdl: "interaction.hashtags exists", name: "tags") { hash } }',
    )
    const hash = (made.data?.['createStream'] as { hash: string }).hash
    const span = {
      from: new Date(START).toISOString(),
      to: new Date(START + 48 * HOUR).toISOString(),
    }
    const estimate = await ask(
      alice,
      'query($s: ID, $from: DateTime!, $to: DateTime!) { estimateReplay(stream: $s, from: $from, to: $to) { partitions rowsToScan rowsInRange matches matchesLow matchesHigh } }',
      { s: hash, ...span },
    )
    expect(estimate.errors).toBeUndefined()
    const e = estimate.data?.['estimateReplay'] as Record<string, number>
    expect(e['partitions']).toBe(2)
    expect(e['rowsToScan']).toBeGreaterThan(1000)

    const created = await ask(
      alice,
      `mutation($s: ID, $from: DateTime!, $to: DateTime!) { createReplay(stream: $s, from: $from, to: $to, name: "tags") { ...r } } ${REPLAY}`,
      { s: hash, ...span },
    )
    expect(created.errors).toBeUndefined()
    const id = (created.data?.['createReplay'] as { id: string }).id
    type Replay = {
      state: string
      manifestUrl: string | null
      progress: Record<string, number>
      chunks: {
        url: string
        presignedUrl: string | null
        records: number
        bytes: number
        sha256: string
      }[]
    }
    let replay: Replay | undefined
    await until('the replay to finish', async () => {
      const r = await ask(alice, `query($id: ID!) { replay(id: $id) { ...r } } ${REPLAY}`, { id })
      replay = r.data?.['replay'] as Replay
      return replay.state === 'DONE' || replay.state === 'FAILED'
    })
    const done = replay as Replay
    expect(done.state).toBe('DONE')
    expect(done.progress['partitionsDone']).toBe(2)
    const matches = done.progress['matches'] as number
    // The true count lies inside the estimate's interval.
    expect(matches).toBeGreaterThanOrEqual(e['matchesLow'] as number)
    expect(matches).toBeLessThanOrEqual(e['matchesHigh'] as number)

    let lines = 0
    for (const chunk of done.chunks) {
      // A local store gives out no URLs: chunks are downloaded through the API.
      expect(chunk.presignedUrl).toBeNull()
      const res = await download(alice, chunk.url)
      expect(res.status).toBe(200)
      expect(res.headers.get('accept-ranges')).toBe('bytes')
      const body = new Uint8Array(await res.arrayBuffer())
      expect(body.byteLength).toBe(chunk.bytes)
      expect(createHash('sha256').update(body).digest('hex')).toBe(chunk.sha256)
      const text = gunzipSync(body).toString('utf8')
      lines += text.split('\n').filter((l) => l !== '').length
      // A download resumed from the middle gives the same bytes.
      const half = Math.floor(chunk.bytes / 2)
      const first = new Uint8Array(
        await (await download(alice, chunk.url, `bytes=0-${half - 1}`)).arrayBuffer(),
      )
      const rest = await download(alice, chunk.url, `bytes=${half}-`)
      expect(rest.status).toBe(206)
      expect(rest.headers.get('content-range')).toBe(
        `bytes ${half}-${chunk.bytes - 1}/${chunk.bytes}`,
      )
      const second = new Uint8Array(await rest.arrayBuffer())
      expect(Buffer.concat([first, second]).equals(Buffer.from(body))).toBe(true)
      const tail = new Uint8Array(
        await (await download(alice, chunk.url, 'bytes=-10')).arrayBuffer(),
      )
      expect(Buffer.from(tail).equals(Buffer.from(body.subarray(body.byteLength - 10)))).toBe(true)
      expect((await download(alice, chunk.url, `bytes=${chunk.bytes}-`)).status).toBe(416)
    }
    expect(lines).toBe(matches)
    const manifest = (await (await download(alice, done.manifestUrl as string)).json()) as {
      records: number
    }
    expect(manifest.records).toBe(matches)

    // Bob can neither see, download, nor cancel Alice's replay; no key gets 401.
    expect((await ask(bob, `query($id: ID!) { replay(id: $id) { id } }`, { id })).data).toEqual({
      replay: null,
    })
    expect((await ask(bob, '{ replays { id } }')).data).toEqual({ replays: [] })
    expect((await ask(alice, '{ replays { id } }')).data).toEqual({ replays: [{ id }] })
    expect((await download(bob, done.chunks[0]?.url as string)).status).toBe(404)
    expect((await download(undefined, done.chunks[0]?.url as string)).status).toBe(401)
    const cancel = await ask(bob, 'mutation($id: ID!) { cancelReplay(id: $id) { id } }', { id })
    expect(cancel.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND')
  }, 120_000)

  it('refuses a filter that does not compile, a backwards range and a stream not yours', async () => {
    const bad = await ask(
      alice,
      'mutation { createReplay(csdl: "language.tag ==", from: "2026-11-10T00:00:00Z", to: "2026-11-11T00:00:00Z") { id } }',
    )
    expect(bad.errors?.[0]?.extensions?.['code']).toBe('CSDL_INVALID')
    expect(bad.errors?.[0]?.message).toMatch(/1:\d+/)
    const backwards = await ask(
      alice,
      'mutation { createReplay(csdl: "language.tag == \\"en\\"", from: "2026-11-11T00:00:00Z", to: "2026-11-10T00:00:00Z") { id } }',
    )
    expect(backwards.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT')
    expect(backwards.errors?.[0]?.message).toMatch(/to must be after from/)
    const theirs = await ask(
      bob,
      'mutation($s: ID) { createReplay(stream: $s, from: "2026-11-10T00:00:00Z", to: "2026-11-11T00:00:00Z") { id } }',
      { s: '0123456789abcdef0123456789abcdef' },
    )
    expect(theirs.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND')
  })
})
