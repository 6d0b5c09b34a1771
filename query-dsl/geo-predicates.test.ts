import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { GeoPoint } from '../schemas/index.js'
import { distanceKm, EARTH_RADIUS_KM, radiusBounds } from './geo-predicates.js'
import type { GeoBounds } from './predicate.js'

/** The point `km` from `from` along `bearing` (radians) on the sphere. */
function destination(from: GeoPoint, bearing: number, km: number): GeoPoint {
  const rad = Math.PI / 180
  const d = km / EARTH_RADIUS_KM
  const lat1 = from.latitude * rad
  const lon1 = from.longitude * rad
  const lat2 = Math.asin(
    Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(bearing),
  )
  const lon2 =
    lon1 +
    Math.atan2(
      Math.sin(bearing) * Math.sin(d) * Math.cos(lat1),
      Math.cos(d) - Math.sin(lat1) * Math.sin(lat2),
    )
  const lon = ((((lon2 / rad + 180) % 360) + 360) % 360) - 180
  return { latitude: lat2 / rad, longitude: lon }
}

function inBounds(b: GeoBounds, p: GeoPoint): boolean {
  if (p.latitude < b.south || p.latitude > b.north) return false
  return b.west <= b.east
    ? p.longitude >= b.west && p.longitude <= b.east
    : p.longitude >= b.west || p.longitude <= b.east
}

describe('radiusBounds, the box the plan indexes a geo_radius under', () => {
  it('contains every point the circle contains, at the poles and across the antimeridian too', () => {
    const center = fc.oneof(
      fc.record({
        latitude: fc.double({ min: -90, max: 90, noNaN: true }),
        longitude: fc.double({ min: -180, max: 180, noNaN: true }),
      }),
      fc.record({
        latitude: fc.constantFrom(-89.9, -60, 0, 45, 89.99),
        longitude: fc.constantFrom(-180, -179.95, 0, 179.95, 180),
      }),
    )
    fc.assert(
      fc.property(
        center,
        fc.double({ min: 0.01, max: 5000, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
        (c, km, share, bearing) => {
          const p = destination(c, bearing, km * share)
          fc.pre(distanceKm(c, p) <= km)
          expect(inBounds(radiusBounds(c, km), p)).toBe(true)
        },
      ),
      { numRuns: 20000 },
    )
  })

  it('is tight away from the poles: a 10 km circle at 45°N spans about 0.18° of latitude', () => {
    const b = radiusBounds({ latitude: 45, longitude: 7 }, 10)
    expect(b.north - b.south).toBeCloseTo(0.18, 2)
    expect(b.east - b.west).toBeCloseTo(0.18 / Math.cos(Math.PI / 4), 2)
  })
})
