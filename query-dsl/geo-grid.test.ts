import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { GeoPoint } from '../schemas/index.js'
import { GeoGrid } from './geo-grid.js'
import type { GeoBounds } from './predicate.js'

function contains(b: GeoBounds, p: GeoPoint): boolean {
  if (p.latitude < b.south || p.latitude > b.north) return false
  return b.west <= b.east
    ? p.longitude >= b.west && p.longitude <= b.east
    : p.longitude >= b.west || p.longitude <= b.east
}

describe('GeoGrid', () => {
  const lat = fc.oneof(
    fc.double({ min: -90, max: 90, noNaN: true }),
    fc.constantFrom(-90, -0.5, 0, 51, 90),
  )
  const lon = fc.oneof(
    fc.double({ min: -180, max: 180, noNaN: true }),
    fc.constantFrom(-180, -0.5, 0, 179.5, 180),
  )
  const box = fc.tuple(lat, lat, lon, lon).map(([a, b, w, e]): GeoBounds => ({
    south: Math.min(a, b),
    north: Math.max(a, b),
    west: w,
    east: e,
  }))
  const point = fc.record({ latitude: lat, longitude: lon })

  it('visits exactly the boxes containing a point: poles, antimeridian, huge boxes, removal', () => {
    fc.assert(
      fc.property(
        fc.array(box, { minLength: 1, maxLength: 20 }),
        fc.array(point, { maxLength: 20 }),
        (boxes, points) => {
          const grid = new GeoGrid<number>()
          boxes.forEach((b, id) => grid.add(id, b))
          boxes.forEach((_, id) => {
            if (id % 3 === 0) grid.remove(id)
          })
          for (const p of points) {
            const found: number[] = []
            grid.visit(p, (id) => found.push(id))
            const expected = boxes.flatMap((b, id) => (id % 3 !== 0 && contains(b, p) ? [id] : []))
            expect(found.sort((a, b) => a - b)).toEqual(expected)
          }
          expect(grid.size).toBe(boxes.filter((_, id) => id % 3 !== 0).length)
        },
      ),
      { numRuns: 300 },
    )
  })
})
