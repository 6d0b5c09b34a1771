import { spawn } from 'node:child_process'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { MemoryMatchChannel } from '../infra/adapters/match-channel/memory-match-channel.js'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { LevelSpeedStore } from '../infra/adapters/speed-store/level-speed-store.js'
import type { ApiService } from '../infra/serve/api-service.js'
import { StreamCatalog } from '../query-dsl/index.js'
import { augment, normalizeLine, type Interaction } from '../schemas/index.js'
import type { MatchMessage } from '../schemas/ports/index.js'
import { ApiKeys, LiveCursorError, LiveHub, type LiveMatch } from '../serving/index.js'
import { dataLines } from './support/shared-data.js'
import { startEmbeddedApi } from './support/embedded-api.js'
import { tempDir } from './support/temp-dir.js'
import { until } from './support/until.js'

/** Real tweets as interactions, copied under fresh ids to make `count`. */
function interactions(count: number): Interaction[] {
  const base: Interaction[] = []
  for (const line of dataLines('twitter-v1-sample.jsonl.gz').slice(0, 300)) {
    const o = normalizeLine(line, 'twitter-v1')
    if (o.kind === 'interactions') for (const i of o.interactions) base.push(augment(i))
  }
  return Array.from({ length: count }, (_, n) => {
    const i = base[n % base.length] as Interaction
    return { ...i, interaction: { ...i.interaction, id: `live-${n}` } }
  })
}

const idOf = (m: LiveMatch): string => m.interaction.interaction?.id ?? ''

describe('live delivery', () => {
  describe('the hub', () => {
    const channel = new MemoryMatchChannel()
    const hub = new LiveHub(channel, { bufferLimit: 5, retainMatches: 8 })
    afterAll(async () => {
      await hub.close()
      await channel.close()
    })
    const publish = (stream: string, list: readonly Interaction[]) =>
      channel.publish(list.map((interaction): MatchMessage => ({ stream, interaction })))

    it('fans a stream out once per match, cuts off a consumer that falls behind, and resumes from a cursor', async () => {
      const list = interactions(12)
      const fast = await hub.follow('s1')
      const slow = await hub.follow('s1')
      const got: LiveMatch[] = []
      const reading = (async () => {
        for await (const m of fast) {
          got.push(m)
          if (got.length === 12) break
        }
      })()
      for (const i of list) {
        // A redelivered match (the channel is at least once) reaches nobody twice.
        await publish('s1', [i, i])
        await new Promise((r) => setImmediate(r))
      }
      await reading
      expect(got.map(idOf)).toEqual(list.map((i) => i.interaction?.id))
      // The consumer that never read was dropped at its sixth match, with a reason.
      expect(slow.end).toMatchObject({
        kind: 'slow',
        reason: expect.stringMatching(/5 matches behind/),
      })
      expect(hub.counts.dropped).toBe(1)
      const queued: LiveMatch[] = []
      for await (const m of slow) queued.push(m)
      expect(queued.map(idOf)).toEqual(list.slice(0, 5).map((i) => i.interaction?.id))
      // Resume after the 7th: the kept 8th to 12th come first.
      const resumed = await hub.follow('s1', got[6]?.cursor)
      const again: LiveMatch[] = []
      for await (const m of resumed) {
        again.push(m)
        if (again.length === 5) break
      }
      expect(again.map(idOf)).toEqual(list.slice(7).map((i) => i.interaction?.id))
      // Before the kept window, or from elsewhere: refused, saying what to do.
      await expect(hub.follow('s1', got[0]?.cursor)).rejects.toThrow(/no longer kept/)
      await expect(hub.follow('s1', 'ffff.3')).rejects.toThrow(LiveCursorError)
    })
  })

  describe('what the hub keeps', () => {
    it('keeps at most its byte budget over all streams, oldest first, and lets idle streams go', async () => {
      const channel = new MemoryMatchChannel()
      let now = 1_000_000
      const hub = new LiveHub(channel, { retainBytes: 200_000, idleMs: 60_000, now: () => now })
      try {
        const list = interactions(300)
        const a = await hub.follow('a')
        const b = await hub.follow('b')
        const cursors: string[] = []
        const reading = (async () => {
          for await (const m of a) {
            cursors.push(m.cursor)
            if (cursors.length === 150) break
          }
        })()
        for (let n = 0; n < 150; n++) {
          now += 10
          await channel.publish([
            { stream: 'a', interaction: list[n] as Interaction },
            { stream: 'b', interaction: list[150 + n] as Interaction },
          ])
          await new Promise((r) => setImmediate(r))
        }
        await reading
        // 300 matches of ~3 KB each went through; what is kept fits the budget.
        expect(hub.retained).toBeLessThanOrEqual(200_000)
        expect(hub.retained).toBeGreaterThan(100_000)
        // The oldest went first: an early cursor is refused, a recent one resumes.
        await expect(hub.follow('a', cursors[0])).rejects.toThrow(/no longer kept/)
        const resumed = await hub.follow('a', cursors[140])
        resumed.close()
        b.close()
        a.close()
        // Nobody follows either any more: after the idle time both go, with what they kept.
        now += 61_000
        await (hub as unknown as { dropIdle(ms: number): Promise<void> }).dropIdle(60_000)
        expect(hub.retained).toBe(0)
        await expect(hub.follow('a', cursors[140])).rejects.toThrow(LiveCursorError)
      } finally {
        await hub.close()
        await channel.close()
      }
    })
  })

  describe('GET /live/<hash>', () => {
    const dir = tempDir('live')
    const store = new LocalDirObjectStore(`${dir.path}/store`)
    const channel = new MemoryMatchChannel()
    let speedStore: LevelSpeedStore
    let api: ApiService
    let key = ''
    let hash = ''
    beforeAll(async () => {
      speedStore = await LevelSpeedStore.open(`${dir.path}/speed`)
      api = await startEmbeddedApi(store, speedStore, `${dir.path}/cache`, {
        matches: channel,
        liveOptions: { bufferLimit: 50 },
      })
      const made = await new ApiKeys(store).create('alice')
      key = made.key
      hash = (await new StreamCatalog(store).create('interaction.id exists', 'all', made.record.id))
        .hash
    }, 60_000)
    afterAll(async () => {
      await api.close()
      await speedStore.close()
      await channel.close()
      dir.remove()
    })

    it('streams the same matches to curl, a WebSocket and an SSE subscription, and cuts off a client that does not read', async () => {
      const url = `${api.url}/live/${hash}`
      // curl, as a user would run it.
      const curl = spawn('curl', ['-sN', '-H', `x-api-key: ${key}`, url], {
        stdio: ['ignore', 'pipe', 'ignore'],
      })
      let curlText = ''
      curl.stdout.on('data', (c: Buffer) => (curlText += c.toString('utf8')))
      // fetch, reading the body as it comes.
      const res = await fetch(url, { headers: { 'x-api-key': key } })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('application/x-ndjson')
      let fetchText = ''
      const reader = (res.body as ReadableStream<Uint8Array>).getReader()
      const decoder = new TextDecoder()
      const fetching = (async () => {
        for (;;) {
          const { done, value } = await reader.read()
          if (done) return
          fetchText += decoder.decode(value, { stream: true })
        }
      })()
      // A WebSocket client.
      const ws = new WebSocket(`${url.replace('http:', 'ws:')}/ws?key=${key}`)
      const wsIds: string[] = []
      ws.on('message', (data: Buffer) =>
        wsIds.push(
          (JSON.parse(data.toString('utf8')) as { interaction: { interaction: { id: string } } })
            .interaction.interaction.id,
        ),
      )
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
      // A GraphQL subscription over server-sent events.
      const sse = await fetch(`${api.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          'x-api-key': key,
        },
        body: JSON.stringify({
          query: 'subscription($s: ID!) { matches(stream: $s) { cursor interaction } }',
          variables: { s: hash },
        }),
      })
      expect(sse.headers.get('content-type')).toMatch(/text\/event-stream/)
      let sseText = ''
      const sseReader = (sse.body as ReadableStream<Uint8Array>).getReader()
      const sseReading = (async () => {
        for (;;) {
          const { done, value } = await sseReader.read()
          if (done) return
          sseText += decoder.decode(value, { stream: true })
        }
      })()
      // A client that sends its request and never reads the answer.
      const stalled = connect(Number(new URL(api.url).port), '127.0.0.1')
      stalled.write(`GET /live/${hash} HTTP/1.1\r\nhost: x\r\nx-api-key: ${key}\r\n\r\n`)
      stalled.pause()
      await until('five consumers', () => api.live?.counts.consumers === 5)

      const list = interactions(4000)
      for (let n = 0; n < list.length; n += 50) {
        await channel.publish(
          list.slice(n, n + 50).map((interaction) => ({ stream: hash, interaction })),
        )
        await new Promise((r) => setTimeout(r, 2))
      }
      const ids = (text: string): string[] =>
        text
          .split('\n')
          .filter((l) => l.startsWith('{"cursor"'))
          .map(
            (l) =>
              (JSON.parse(l) as { interaction: { interaction: { id: string } } }).interaction
                .interaction.id,
          )
      const want = list.map((i) => i.interaction?.id)
      const sseIds = (): string[] =>
        sseText
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map(
            (l) =>
              (
                JSON.parse(l.slice(6)) as {
                  data: { matches: { interaction: { interaction: { id: string } } } }
                }
              ).data.matches.interaction.interaction.id,
          )
      await until(
        'every client to receive every match',
        () =>
          ids(curlText).length === want.length &&
          ids(fetchText).length === want.length &&
          wsIds.length === want.length &&
          sseIds().length === want.length,
        60_000,
      )
      expect(ids(curlText)).toEqual(want)
      expect(ids(fetchText)).toEqual(want)
      expect(wsIds).toEqual(want)
      expect(sseIds()).toEqual(want)
      // The stalled client was dropped (and counted); reading now, its stream ends saying why.
      expect(api.live?.counts.dropped).toBe(1)
      const metrics = await (await fetch(`${api.url}/metrics`)).text()
      expect(metrics).toMatch(/^sluice_api_live_dropped 1$/m)
      expect(metrics).toMatch(/^sluice_api_live_consumers 4$/m)
      let stalledText = ''
      stalled.on('data', (c: Buffer) => (stalledText += c.toString('utf8')))
      stalled.resume()
      await until('the stalled client to see why it was cut off', () =>
        stalledText.includes('"end":"slow"'),
      )
      stalled.destroy()
      curl.kill()
      await reader.cancel()
      await fetching.catch(() => undefined)
      await sseReader.cancel()
      await sseReading.catch(() => undefined)
      ws.close()
    }, 120_000)

    it('refuses without a key, for another key, and for a cursor it cannot resume from', async () => {
      const url = `${api.url}/live/${hash}`
      expect((await fetch(url)).status).toBe(401)
      const bob = (await new ApiKeys(store).create('bob')).key
      expect((await fetch(url, { headers: { 'x-api-key': bob } })).status).toBe(404)
      const stale = await fetch(`${url}?cursor=0000.1`, { headers: { 'x-api-key': key } })
      expect(stale.status).toBe(410)
      expect(await stale.json()).toMatchObject({ code: 'CURSOR_EXPIRED' })
      // A WebSocket without a key is closed with 4001 and the reason.
      const ws = new WebSocket(`${url.replace('http:', 'ws:')}/ws`)
      const [code, reason] = await new Promise<[number, string]>((resolve) =>
        ws.once('close', (c: number, r: Buffer) => resolve([c, r.toString('utf8')])),
      )
      expect(code).toBe(4001)
      expect(reason).toMatch(/API key is required/)
    })
  })
})
