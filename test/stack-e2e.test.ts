import { afterAll, describe, expect, it } from 'vitest'
import { startStack, type StackProcess } from './support/stack-process.js'
import { tempDir } from './support/temp-dir.js'
import { until } from './support/until.js'

describe('npm start: the one-command stack', () => {
  const dir = tempDir('stack-e2e')
  let stack: StackProcess | undefined
  afterAll(async () => {
    await stack?.stop()
    dir.remove()
  })

  it('serves a registered stream whose counts come from the replayed firehose and grow', async () => {
    // What `npm start` runs after building, with a free port and a faster batch cycle.
    stack = await startStack(dir.path, { rate: 400, batchEverySeconds: 8 })
    const { graphql: url, key } = stack
    const ask = async (query: string, variables: Record<string, unknown> = {}) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
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
    const health = await fetch(url.replace('/graphql', '/health'))
    const report = (await health.json()) as { status: string }
    expect(report, JSON.stringify(report)).toMatchObject({ status: 'ok' })
    expect(health.status).toBe(200)
    // GraphiQL for people with a browser.
    const page = await fetch(url, { headers: { accept: 'text/html' } })
    expect(await page.text()).toMatch(/graphiql/i)
  }, 240_000)
})
