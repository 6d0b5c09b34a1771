import { geoEqualEarth, geoPath } from 'd3-geo'
import { useMemo } from 'preact/hooks'
import { feature } from 'topojson-client'
import type { GeometryCollection, Topology } from 'topojson-specification'
import countries110m from 'world-atlas/countries-110m.json'

const WIDTH = 800
const HEIGHT = 400

/** The world's land, drawn once from Natural Earth's 1:110m countries (bundled: no tiles, no CDN). */
const world = (() => {
  const topology = countries110m as unknown as Topology<{ countries: GeometryCollection }>
  return feature(topology, topology.objects.countries)
})()

const projection = geoEqualEarth().fitSize([WIDTH, HEIGHT], world)
const landPath = geoPath(projection)(world) ?? ''

/** A map of geo-tagged matches as dots on the world (SVG). */
export function GeoMap(props: {
  readonly points: readonly { readonly latitude: number; readonly longitude: number }[]
}) {
  const dots = useMemo(
    () =>
      props.points.flatMap((p) => {
        const xy = projection([p.longitude, p.latitude])
        return xy === null ? [] : [xy]
      }),
    [props.points],
  )
  return (
    <svg
      class="geo-map"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={`map of ${dots.length} geo-tagged matches`}
    >
      <path d={landPath} class="land" />
      {dots.map(([x, y], n) => (
        <circle key={n} cx={x} cy={y} r={3} class="match-dot" />
      ))}
    </svg>
  )
}
