import type { ChartConfiguration } from 'chart.js/auto'
import { useEffect, useMemo, useState } from 'preact/hooks'
import type { Api } from './api.js'
import { ChartView, PALETTE } from './chart-view.js'
import { valueColour } from './value-colours.js'
import { formatCount } from './download.js'
import { useQuery } from './use-query.js'

const GRANULARITY_MS = { MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 } as const
type Granularity = keyof typeof GRANULARITY_MS

const RANGES = [
  { label: 'last hour', ms: 3_600_000, granularity: 'MINUTE' },
  { label: 'last 6 hours', ms: 6 * 3_600_000, granularity: 'MINUTE' },
  { label: 'last 24 hours', ms: 86_400_000, granularity: 'HOUR' },
  { label: 'last 7 days', ms: 7 * 86_400_000, granularity: 'HOUR' },
  { label: 'last 30 days', ms: 30 * 86_400_000, granularity: 'DAY' },
] as const

/** How often the page asks again (the speed layer's counts move every few seconds). */
const REFRESH_MS = 10_000

const DIMENSIONS = ['LANGUAGE', 'SENTIMENT', 'GENDER', 'TYPE', 'COUNTRY', 'SOURCE'] as const

const STREAM = /* GraphQL */ `
  query ($h: ID!, $from: DateTime!, $to: DateTime!, $g: Granularity!, $d: VolumeDimension!) {
    stream(hash: $h) {
      name
      csdl
      dpu
      history {
        complete
        batchVersion
        watermark
      }
      total: timeseries(from: $from, to: $to, granularity: $g) {
        coverage {
          watermark
        }
        points {
          at
          count
          source
        }
      }
      split: timeseries(from: $from, to: $to, granularity: $g, dimension: $d) {
        points {
          at
          value
          count
        }
      }
      uniqueAuthors(from: $from, to: $to) {
        estimate
        relativeError
      }
    }
  }
`

const TOP = /* GraphQL */ `
  query ($h: ID!, $from: DateTime!, $to: DateTime!) {
    stream(hash: $h) {
      hashtags: top(dimension: HASHTAGS, from: $from, to: $to, k: 10) {
        entries {
          value
          count
        }
      }
      mentions: top(dimension: MENTIONS, from: $from, to: $to, k: 10) {
        entries {
          value
          count
        }
      }
      domains: top(dimension: DOMAINS, from: $from, to: $to, k: 10) {
        entries {
          value
          count
        }
      }
    }
  }
`

interface Point {
  readonly at: string
  readonly value?: string
  readonly count: number
  readonly source?: 'BATCH' | 'SPEED' | 'BOTH'
}

interface StreamAnswer {
  readonly stream: {
    readonly name: string
    readonly csdl: string
    readonly dpu: number
    readonly history: {
      readonly complete: boolean
      readonly batchVersion: number
      readonly watermark: string | null
    }
    readonly total: {
      readonly coverage: { readonly watermark: string | null }
      readonly points: readonly Point[]
    }
    readonly split: { readonly points: readonly Point[] }
    readonly uniqueAuthors: { readonly estimate: number; readonly relativeError: number }
  } | null
}

interface TopList {
  readonly entries: readonly { readonly value: string; readonly count: number }[]
}

interface TopAnswer {
  readonly stream: {
    readonly hashtags: TopList
    readonly mentions: TopList
    readonly domains: TopList
  } | null
}

/**
 * Whole buckets covering the last `ms` up to the bucket holding now. Minute buckets exist only
 * from the batch watermark on (the speed window), so a minute range starts there at the earliest.
 */
function window(ms: number, granularity: Granularity, now: number, watermark: number | undefined) {
  const step = GRANULARITY_MS[granularity]
  const to = Math.floor(now / step) * step + step
  const earliest = to - Math.ceil(ms / step) * step
  const from =
    granularity === 'MINUTE' && watermark !== undefined ? Math.max(earliest, watermark) : earliest
  return { from, to, step, clipped: from > earliest }
}

const HISTORY = /* GraphQL */ `
  query ($h: ID!) {
    stream(hash: $h) {
      history {
        watermark
      }
    }
  }
`

function bucketLabel(t: number, granularity: Granularity): string {
  const iso = new Date(t).toISOString()
  return granularity === 'DAY'
    ? iso.slice(0, 10)
    : iso.slice(granularity === 'HOUR' ? 5 : 11, 16).replace('T', ' ')
}

/** A saved stream's analytics over a chosen range: volume with the batch watermark, breakdowns, top values. */
export function StreamPage(props: { readonly api: Api; readonly hash: string }) {
  const [range, setRange] = useState(2)
  const [dimension, setDimension] = useState<(typeof DIMENSIONS)[number]>('LANGUAGE')
  const [now, setNow] = useState(Date.now)
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), REFRESH_MS)
    return () => clearInterval(timer)
  }, [])
  const chosen = RANGES[range] ?? RANGES[0]
  const granularity: Granularity = chosen.granularity
  const history = useQuery<{ stream: { history: { watermark: string | null } } | null }>(
    props.api,
    HISTORY,
    { h: props.hash },
    REFRESH_MS,
  )
  const servedWatermark = history.data?.stream?.history.watermark ?? null
  const { from, to, step, clipped } = window(
    chosen.ms,
    granularity,
    now,
    servedWatermark === null ? undefined : Date.parse(servedWatermark),
  )
  const variables = {
    h: props.hash,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
  }
  const answer = useQuery<StreamAnswer>(
    props.api,
    STREAM,
    { ...variables, g: granularity, d: dimension },
    REFRESH_MS,
    history.data !== undefined,
  )
  const top = useQuery<TopAnswer>(props.api, TOP, variables, REFRESH_MS, history.data !== undefined)
  const stream = answer.data?.stream

  const buckets = useMemo(
    () => Array.from({ length: Math.round((to - from) / step) }, (_, n) => from + n * step),
    [from, to, step],
  )
  const total = stream?.total.points.reduce((sum, p) => sum + p.count, 0) ?? 0
  const watermark = stream?.total.coverage.watermark ?? null

  const volume = useMemo<ChartConfiguration<'bar'>>(() => {
    const bySource = (source: 'BATCH' | 'SPEED') => {
      const counts = new Map<number, number>()
      for (const p of stream?.total.points ?? [])
        if (p.source === source || (p.source === 'BOTH' && source === 'BATCH'))
          counts.set(Date.parse(p.at), p.count)
      return buckets.map((b) => counts.get(b) ?? 0)
    }
    const mark = watermark === null ? -1 : (Date.parse(watermark) - from) / step - 0.5
    return {
      type: 'bar',
      data: {
        labels: buckets.map((b) => bucketLabel(b, granularity)),
        datasets: [
          { label: 'batch views', data: bySource('BATCH'), backgroundColor: PALETTE[0] },
          { label: 'speed layer', data: bySource('SPEED'), backgroundColor: PALETTE[3] },
        ],
      },
      options: {
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } },
        plugins: {
          annotation: {
            annotations:
              mark >= -0.5 && mark <= buckets.length - 0.5
                ? {
                    watermark: {
                      type: 'line',
                      scaleID: 'x',
                      value: mark,
                      borderColor: '#111827',
                      borderDash: [6, 4],
                      borderWidth: 2,
                      label: {
                        display: true,
                        content: 'batch watermark',
                        position: 'start',
                      },
                    },
                  }
                : {},
          },
        },
      },
    }
  }, [stream, buckets, watermark, from, step, granularity])

  const split = useMemo<ChartConfiguration<'bar'>>(() => {
    const byValue = new Map<string, Map<number, number>>()
    for (const p of stream?.split.points ?? []) {
      const value = p.value === undefined || p.value === '' ? 'unknown' : p.value
      const counts = byValue.get(value) ?? new Map<number, number>()
      counts.set(Date.parse(p.at), (counts.get(Date.parse(p.at)) ?? 0) + p.count)
      byValue.set(value, counts)
    }
    const ranked = [...byValue.entries()]
      .map(([value, counts]) => ({
        value,
        counts,
        sum: [...counts.values()].reduce((a, b) => a + b, 0),
      }))
      .sort((a, b) => b.sum - a.sum)
      .slice(0, 8)
    return {
      type: 'bar',
      data: {
        labels: buckets.map((b) => bucketLabel(b, granularity)),
        datasets: ranked.map((r, n) => ({
          label: r.value,
          data: buckets.map((b) => r.counts.get(b) ?? 0),
          backgroundColor: valueColour(dimension, r.value, n),
        })),
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
    }
  }, [stream, buckets, granularity, dimension])

  if (answer.data !== undefined && stream == null)
    return <p class="error">You have no stream {props.hash}.</p>
  return (
    <section class="stream-page">
      <h1>{stream?.name ?? '…'}</h1>
      <p>
        <code>{stream?.csdl}</code> · {stream?.dpu} DPU an hour · hash <code>{props.hash}</code>
      </p>
      <div class="controls">
        <label>
          Range
          <select value={range} onChange={(e) => setRange(Number(e.currentTarget.value))}>
            {RANGES.map((r, n) => (
              <option key={r.label} value={n}>
                {r.label} (by {r.granularity.toLowerCase()})
              </option>
            ))}
          </select>
        </label>
        <label>
          Breakdown
          <select
            value={dimension}
            onChange={(e) => setDimension(e.currentTarget.value as (typeof DIMENSIONS)[number])}
          >
            {DIMENSIONS.map((d) => (
              <option key={d} value={d}>
                {d.toLowerCase()}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          onClick={() => {
            setNow(Date.now())
            history.reload()
            answer.reload()
            top.reload()
          }}
        >
          Refresh
        </button>
      </div>
      {answer.error !== undefined && (
        <p class="error" role="alert">
          {answer.error}
        </p>
      )}
      <div class="figures">
        <div class="figure">
          <span class="number" data-testid="stream-total">
            {formatCount(total)}
          </span>
          interactions
        </div>
        <div class="figure">
          <span class="number" data-testid="unique-authors">
            {formatCount(stream?.uniqueAuthors.estimate ?? 0)}
          </span>
          unique authors (±{((stream?.uniqueAuthors.relativeError ?? 0) * 100).toFixed(1)}%)
        </div>
        <div class="figure">
          <span class="number" data-testid="watermark">
            {watermark === null ? 'none yet' : watermark.slice(0, 16).replace('T', ' ')}
          </span>
          batch watermark (UTC)
          {stream?.history.complete === false ? ' · history not yet backfilled' : ''}
        </div>
      </div>
      {clipped && (
        <p class="note" data-testid="minute-note">
          Minute buckets exist only from the batch watermark on (the speed layer's window): this
          chart starts at {new Date(from).toISOString().slice(11, 16)} UTC, not {chosen.label} ago.
          Choose a range by hour for the whole of it.
        </p>
      )}
      <figure class="card wide">
        <figcaption>Volume: batch views before the watermark, the speed layer after it</figcaption>
        <ChartView config={volume} label="stream volume over time" height={260} />
      </figure>
      <figure class="card wide">
        <figcaption>By {dimension.toLowerCase()}</figcaption>
        <ChartView config={split} label={`volume by ${dimension.toLowerCase()}`} height={260} />
      </figure>
      <div class="grid">
        {(['hashtags', 'mentions', 'domains'] as const).map((kind) => (
          <figure class="card" key={kind}>
            <figcaption>Top {kind}</figcaption>
            <table class="list">
              <tbody>
                {top.data?.stream?.[kind].entries.map((e) => (
                  <tr key={e.value}>
                    <td>{e.value}</td>
                    <td class="num">{formatCount(e.count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </figure>
        ))}
      </div>
    </section>
  )
}
