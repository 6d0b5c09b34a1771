import Chart, { type ChartConfiguration, type ChartType } from 'chart.js/auto'
import annotationPlugin from 'chartjs-plugin-annotation'
import { useEffect, useRef } from 'preact/hooks'

Chart.register(annotationPlugin)
// Running charts are redrawn on every batch: animating each redraw would only flicker.
Chart.defaults.animation = false
Chart.defaults.maintainAspectRatio = false

/**
 * A Chart.js chart that follows its configuration: made once, then its data and options are
 * replaced and redrawn.
 */
export function ChartView<T extends ChartType>(props: {
  readonly config: ChartConfiguration<T>
  readonly label: string
  readonly height?: number
}) {
  const canvas = useRef<HTMLCanvasElement>(null)
  const chart = useRef<Chart<T>>()
  useEffect(() => {
    const element = canvas.current
    if (element === null) return
    chart.current = new Chart(element, props.config)
    return () => chart.current?.destroy()
  }, [props.config.type])
  useEffect(() => {
    const c = chart.current
    if (c === undefined) return
    c.data = props.config.data
    if (props.config.options !== undefined) c.options = props.config.options
    c.update('none')
  }, [props.config])
  return (
    <div class="chart" style={{ height: `${props.height ?? 220}px` }}>
      <canvas ref={canvas} role="img" aria-label={props.label} />
    </div>
  )
}

/** A palette that stays readable on white, one colour per series. */
export const PALETTE = [
  '#2563eb',
  '#16a34a',
  '#dc2626',
  '#f59e0b',
  '#7c3aed',
  '#0891b2',
  '#db2777',
  '#65a30d',
  '#ea580c',
  '#475569',
]
