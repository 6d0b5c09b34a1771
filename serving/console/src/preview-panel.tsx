import type { ChartConfiguration } from 'chart.js/auto'
import { useMemo } from 'preact/hooks'
import { ChartView, PALETTE } from './chart-view.js'
import { GeoMap } from './geo-map.js'
import { topEntries, VOLUME_SECONDS, type PreviewStats } from './preview-stats.js'
import { SENTIMENT_COLOURS } from './value-colours.js'

function shares(
  map: ReadonlyMap<string, number>,
  k: number,
  label: string,
): ChartConfiguration<'doughnut'> {
  const top = topEntries(map, k)
  return {
    type: 'doughnut',
    data: {
      labels: top.map(([v]) => v),
      datasets: [{ label, data: top.map(([, n]) => n), backgroundColor: PALETTE }],
    },
    options: { plugins: { legend: { position: 'right' } } },
  }
}

function bars(
  map: ReadonlyMap<string, number>,
  k: number,
  label: string,
): ChartConfiguration<'bar'> {
  const top = topEntries(map, k)
  return {
    type: 'bar',
    data: {
      labels: top.map(([v]) => v),
      datasets: [{ label, data: top.map(([, n]) => n), backgroundColor: PALETTE[0] }],
    },
    options: { indexAxis: 'y', plugins: { legend: { display: false } } },
  }
}

/** A preview's running views: arriving matches, a map, and charts of what they are. */
export function PreviewPanel(props: { readonly stats: PreviewStats }) {
  const { stats } = props
  const volume = useMemo<ChartConfiguration<'line'>>(() => {
    const now = stats.volume[stats.volume.length - 1]?.second ?? Math.floor(Date.now() / 1000)
    const bySecond = new Map(stats.volume.map((v) => [v.second, v.count]))
    const seconds = Array.from({ length: VOLUME_SECONDS }, (_, n) => now - VOLUME_SECONDS + 1 + n)
    return {
      type: 'line',
      data: {
        labels: seconds.map((s) => new Date(s * 1000).toLocaleTimeString('en-GB')),
        datasets: [
          {
            label: 'matches per second',
            data: seconds.map((s) => bySecond.get(s) ?? 0),
            borderColor: PALETTE[0],
            pointRadius: 0,
            fill: false,
          },
        ],
      },
      options: { scales: { y: { beginAtZero: true } }, plugins: { legend: { display: false } } },
    }
  }, [stats.volume])
  const languages = useMemo(() => shares(stats.languages, 8, 'languages'), [stats.languages])
  const sentiment = useMemo(() => {
    const config = shares(stats.sentiment, 3, 'sentiment')
    for (const dataset of config.data.datasets)
      dataset.backgroundColor = (config.data.labels ?? []).map((l) => SENTIMENT_COLOURS[String(l)])
    return config
  }, [stats.sentiment])
  const genders = useMemo(() => shares(stats.genders, 6, 'gender'), [stats.genders])
  const hashtags = useMemo(() => bars(stats.hashtags, 10, 'hashtags'), [stats.hashtags])
  return (
    <div class="preview">
      <div class="grid">
        <figure class="card wide">
          <figcaption>Volume (matches per second, last two minutes)</figcaption>
          <ChartView config={volume} label="preview volume over time" />
        </figure>
        <figure class="card">
          <figcaption>Languages</figcaption>
          <ChartView config={languages} label="language shares" />
        </figure>
        <figure class="card">
          <figcaption>Sentiment</figcaption>
          <ChartView config={sentiment} label="sentiment shares" />
        </figure>
        <figure class="card">
          <figcaption>Gender</figcaption>
          <ChartView config={genders} label="gender shares" />
        </figure>
        <figure class="card">
          <figcaption>Top hashtags</figcaption>
          <ChartView config={hashtags} label="top hashtags" />
        </figure>
        <figure class="card wide">
          <figcaption>Geo-tagged matches ({stats.points.length})</figcaption>
          <GeoMap points={stats.points} />
        </figure>
      </div>
      <h2>Matches as they arrive</h2>
      <ol class="matches" data-testid="preview-matches">
        {stats.recent.map((m) => (
          <li key={m.id}>
            <span class="meta">
              {m.createdAt.slice(11, 19)} · {m.type} · @{m.author}
              {m.language === undefined ? '' : ` · ${m.language}`}
            </span>
            <span class="content">{m.content}</span>
          </li>
        ))}
      </ol>
    </div>
  )
}
