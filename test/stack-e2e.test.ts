import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { REPO_ROOT, sharedDataDir } from './support/shared-data.js'
import { tempDir } from './support/temp-dir.js'
import { until } from './support/until.js'

const SLUICE = join(REPO_ROOT, 'dist/infra/bin/sluice.js')

/** Resolves with the first match of `pattern` in what `stream` prints. */
function printed(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8')
      const m = pattern.exec(text)
      if (m !== null) resolve(m)
    })
    child.once('exit', (code) =>
      reject(new Error(`the stack exited (${code}) before printing ${pattern}`)),
    )
  })
}

describe('npm start: the one-command stack', () => {
  const dir = tempDir('stack-e2e')
  let child: ChildProcess | undefined
  afterAll(async () => {
    if (child !== undefined && child.exitCode === null) {
      child.kill('SIGTERM')
      await new Promise((r) => child?.once('exit', r))
    }
    dir.remove()
  })

  it('serves a registered stream whose counts come from the replayed firehose and grow', async () => {
    // What `npm start` runs after building, with a free port and a faster batch cycle.
    child = spawn(
      process.execPath,
      [
        SLUICE,
        'stack',
        '--data-dir',
        dir.path,
        '--http',
        '127.0.0.1:0',
        '--rate',
        '400',
        '--batch-every',
        '8',
        '--sample',
        join(sharedDataDir(), 'twitter-v1-sample.jsonl.gz'),
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    )
    const [, url, key] = await printed(child, /GraphQL +(http:\S+)[\s\S]*API key +(sluice_\S+)/)
    const ask = async (query: string, variables: Record<string, unknown> = {}) => {
      const res = await fetch(url as string, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key as string },
        body: JSON.stringify({ query, variables }),
      })
      return (await res.json()) as { data?: Record<string, unknown>; errors?: unknown[] }
    }
    const created = await ask(
      'mutation { createStream(csdl: "language.tag == \\"en\\"", name: "english") { hash } }',
    )
    expect(created.errors).toBeUndefined()
    const hash = (created.data?.['createStream'] as { hash: string }).hash
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000
    const total = async (): Promise<{ count: number; watermark: string | null }> => {
      const answer = await ask(
        'query($h: ID!, $from: DateTime!, $to: DateTime!) { stream(hash: $h) { timeseries(from: $from, to: $to, granularity: DAY) { coverage { watermark } points { count } } } }',
        {
          h: hash,
          from: new Date(Math.floor(hour / 86_400_000) * 86_400_000 - 86_400_000).toISOString(),
          to: new Date(Math.floor(hour / 86_400_000) * 86_400_000 + 2 * 86_400_000).toISOString(),
        },
      )
      expect(answer.errors).toBeUndefined()
      const series = (
        answer.data?.['stream'] as {
          timeseries: { coverage: { watermark: string | null }; points: { count: number }[] }
        }
      ).timeseries
      return {
        count: series.points.reduce((n, p) => n + p.count, 0),
        watermark: series.coverage.watermark,
      }
    }
    let first = 0
    await until(
      'matches of the new stream from the firehose',
      async () => {
        first = (await total()).count
        return first > 0
      },
      60_000,
    )
    // Counts grow, and keep growing once a batch version covers part of them.
    let later = { count: 0, watermark: null as string | null }
    await until(
      'a batch version and more matches',
      async () => {
        later = await total()
        return (
          later.count > first &&
          later.watermark !== null &&
          Date.parse(later.watermark) > Date.now() - 86_400_000
        )
      },
      90_000,
    )
    expect(later.count).toBeGreaterThan(first)
    // A batch run after the registration backfilled the stream's history.
    await until(
      'the stream to be backfilled',
      async () => {
        const h = await ask(
          'query($h: ID!) { stream(hash: $h) { history { complete batchVersion } } }',
          {
            h: hash,
          },
        )
        return (h.data?.['stream'] as { history: { complete: boolean } }).history.complete
      },
      90_000,
    )
    const health = await fetch((url as string).replace('/graphql', '/health'))
    const report = (await health.json()) as { status: string }
    expect(report, JSON.stringify(report)).toMatchObject({ status: 'ok' })
    expect(health.status).toBe(200)
    // GraphiQL for people with a browser.
    const page = await fetch(url as string, { headers: { accept: 'text/html' } })
    expect(await page.text()).toMatch(/graphiql/i)
  }, 240_000)
})
