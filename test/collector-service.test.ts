import { gzipSync, gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openObjectStore } from '../infra/adapters/open-object-store.js'
import { startCollector, type RunningCollector } from '../infra/collect/collector-service.js'
import { listSegmentFiles } from '../collectors/index.js'
import { readEnvelope } from '../schemas/index.js'
import { listAll, type ObjectStore } from '../schemas/ports/index.js'
import { dataLines } from './support/shared-data.js'
import { tempDir } from './support/temp-dir.js'

const quiet = (event: string, fields?: unknown): void => {
  if (event === 'request_failed') console.error(fields)
}

/** Every envelope in the store under `prefix`, per segment key. */
async function storedSegments(store: ObjectStore, prefix: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>()
  for await (const o of listAll(store, prefix)) {
    const body = await store.get(o.key)
    const lines = gunzipSync(body ?? new Uint8Array())
      .toString('utf8')
      .split('\n')
    out.set(
      o.key,
      lines.filter((l) => l !== '').map((l) => readEnvelope(l).record),
    )
  }
  return out
}

describe('a collector over HTTP (file store, in-process queue)', () => {
  const tmp = tempDir('collector')
  const tweets = dataLines('twitter-v1-sample.jsonl.gz').slice(0, 400)
  const reddit = dataLines('reddit-api-comments-sample.jsonl.gz').slice(0, 100)
  let collector: RunningCollector
  let url = ''
  const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      body: typeof body === 'string' ? body : new Uint8Array(body),
      headers: { authorization: 'Bearer s3cret', ...headers },
    })

  beforeAll(async () => {
    collector = await startCollector(
      {
        collector: 'h1',
        logDir: `${tmp.path}/log`,
        store: { kind: 'file', path: `${tmp.path}/store` },
        queue: { kind: 'memory' },
        http: { host: '127.0.0.1', port: 0 },
        token: 's3cret',
        ingestLimits: { maxBodyBytes: 2 * 1024 * 1024 },
      },
      quiet,
    )
    url = collector.url ?? ''
  })
  afterAll(async () => {
    await collector.stop()
    tmp.remove()
  })

  it('answers 202 with counts once records are stored, dropping duplicates and setting aside junk', async () => {
    const body = [...tweets.slice(0, 200), tweets[0], '', 'Exceeded connection limit', tweets[1]]
    const res = await post('/v1/ingest/twitter-v1', `${body.join('\n')}\n`)
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ accepted: 200, duplicates: 2, malformed: 1 })
    // The same records again, from an "overlapping connection": all duplicates.
    const again = await post('/v1/ingest/twitter-v1', tweets.slice(150, 250).join('\n'))
    expect(await again.json()).toEqual({ accepted: 50, duplicates: 50, malformed: 0 })
  })

  it('accepts gzip bodies', async () => {
    const res = await post('/v1/ingest/reddit', gzipSync(reddit.join('\n')), {
      'content-encoding': 'gzip',
    })
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ accepted: 100, duplicates: 0, malformed: 0 })
  })

  it('refuses what it cannot take, saying why', async () => {
    const big = tweets.join('\n').repeat(3)
    const tooBig = await post('/v1/ingest/twitter-v1', big)
    expect(tooBig.status).toBe(413)
    expect(((await tooBig.json()) as { error: string }).error).toMatch(/limit is 2097152/)
    const bomb = await post('/v1/ingest/twitter-v1', gzipSync(big), { 'content-encoding': 'gzip' })
    expect(bomb.status).toBe(413)
    expect(((await bomb.json()) as { error: string }).error).toMatch(/once gunzipped/)
    const badGzip = await post('/v1/ingest/twitter-v1', 'not gzip', { 'content-encoding': 'gzip' })
    expect(badGzip.status).toBe(400)
    expect((await post('/v1/ingest/myspace', '{}')).status).toBe(404)
    expect((await post('/v1/ingest/twitter-v1', '')).status).toBe(400)
    const noToken = await fetch(`${url}/v1/ingest/twitter-v1`, { method: 'POST', body: '{}' })
    expect(noToken.status).toBe(401)
    expect((await fetch(`${url}/v1/ingest/twitter-v1`)).status).toBe(405)
  })

  it('reports health as named checks and metrics in Prometheus format', async () => {
    const health = await fetch(`${url}/health`)
    expect(health.status).toBe(200)
    const report = (await health.json()) as { status: string; checks: Record<string, unknown> }
    expect(Object.keys(report.checks).sort()).toEqual([
      'error_rate',
      'handoff_lag',
      'log_writable',
      'upload_lag',
    ])
    expect(report.status).toBe('ok')
    const metrics = await (await fetch(`${url}/metrics`)).text()
    expect(metrics).toMatch(/^sluice_collector_records_accepted_total 350$/m)
    expect(metrics).toMatch(/^sluice_collector_records_duplicate_total 52$/m)
    expect(metrics).toMatch(/^sluice_collector_records_malformed_total 1$/m)
  })

  it('uploads sealed segments, hands the raw ones to the queue, and then clears local disk', async () => {
    await collector.log.sealAll()
    await collector.handoff?.drain()
    await collector.uploader.drain()
    const store = openObjectStore({ kind: 'file', path: `${tmp.path}/store` })
    const raw = await storedSegments(store, 'raw/')
    const records = [...raw.values()].flat()
    // The state of the pipeline, printed with any failure below.
    const state = JSON.stringify({
      segments: [...raw.entries()].map(([k, v]) => [k, v.length]),
      local: (await listSegmentFiles(`${tmp.path}/log`)).map((f) => [f.key, f.state]),
      handoff: collector.handoff?.getStats(),
      uploader: collector.uploader.getStats(),
    })
    expect(records.length, state).toBe(350)
    expect(new Set(records)).toEqual(new Set([...tweets.slice(0, 250), ...reddit]))
    expect(
      [...raw.keys()].every((k) =>
        /^raw\/source=(twitter-v1|reddit)\/date=\d{4}-\d\d-\d\d\/h1-\d+\.ndjson\.gz$/.test(k),
      ),
    ).toBe(true)
    const rejects = [...(await storedSegments(store, 'rejects/')).values()].flat()
    expect(rejects, state).toEqual(['Exceeded connection limit'])
    expect(collector.handoff?.getStats(), state).toMatchObject({ records: 350, behind: 0 })
    expect(collector.uploader.getStats(), state).toMatchObject({ waiting: 0 })
  })
})
