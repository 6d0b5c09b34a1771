import type { GeoPoint } from '../schemas/index.js'
import type { EvalContext } from './eval-context.js'
import type { GeoBounds, Predicate, Trigger } from './predicate.js'
import { presenceProbability } from './probability.js'
import type { TargetBinding } from './target-binding.js'

/*
 * geo_box, geo_radius, geo_polygon (csdl.md §4.13–§4.15). Coordinates are latitude first, in
 * decimal degrees; radii in kilometres on a spherical Earth of mean radius; boundaries count as
 * inside; a box whose west edge lies east of its east edge crosses the antimeridian.
 */

/** Mean Earth radius (IUGG), km. */
export const EARTH_RADIUS_KM = 6371.0088

function pointOf(v: unknown): GeoPoint | undefined {
  if (typeof v !== 'object' || v === null) return undefined
  const { latitude, longitude } = v as { latitude?: unknown; longitude?: unknown }
  return typeof latitude === 'number' && typeof longitude === 'number'
    ? { latitude, longitude }
    : undefined
}

/** The points of a geo target's value (one point or a list of them). */
export function pointsOf(v: unknown): GeoPoint[] {
  const out: GeoPoint[] = []
  for (const item of Array.isArray(v) ? (v as readonly unknown[]) : [v]) {
    const p = pointOf(item)
    if (p !== undefined) out.push(p)
  }
  return out
}

/** Great-circle distance in km (haversine). */
export function distanceKm(a: GeoPoint, b: GeoPoint): number {
  const rad = Math.PI / 180
  const dLat = (b.latitude - a.latitude) * rad
  const dLon = (b.longitude - a.longitude) * rad
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)))
}

abstract class GeoPredicate implements Predicate {
  abstract readonly key: string
  readonly cost = 2
  readonly probability: number
  readonly triggers: readonly Trigger[]
  readonly exactTriggers = false

  /** `bounds` contains every point the predicate accepts; the plan indexes it on a grid. */
  constructor(
    readonly target: TargetBinding,
    bounds: GeoBounds,
  ) {
    this.triggers = [{ kind: 'geo', target, box: bounds }]
    const lonSpan =
      bounds.west <= bounds.east ? bounds.east - bounds.west : 360 - (bounds.west - bounds.east)
    const areaShare = ((bounds.north - bounds.south) / 180) * (lonSpan / 360)
    this.probability =
      presenceProbability(target.path) * Math.min(1, Math.max(0.001, areaShare * 20))
  }

  protected abstract inside(p: GeoPoint): boolean

  test(ctx: EvalContext): boolean {
    for (const p of pointsOf(ctx.value(this.target))) if (this.inside(p)) return true
    return false
  }
}

/** geo_box "LAT_NW,LON_NW:LAT_SE,LON_SE". */
export class GeoBoxPredicate extends GeoPredicate {
  readonly key: string

  constructor(
    target: TargetBinding,
    private readonly nw: GeoPoint,
    private readonly se: GeoPoint,
  ) {
    super(target, {
      south: se.latitude,
      north: nw.latitude,
      west: nw.longitude,
      east: se.longitude,
    })
    this.key = `geo_box|${target.path}|${nw.latitude},${nw.longitude}:${se.latitude},${se.longitude}`
  }

  protected inside(p: GeoPoint): boolean {
    if (p.latitude > this.nw.latitude || p.latitude < this.se.latitude) return false
    const { longitude: west } = this.nw
    const { longitude: east } = this.se
    return west <= east
      ? p.longitude >= west && p.longitude <= east
      : p.longitude >= west || p.longitude <= east
  }
}

/** geo_radius "LAT,LON:RADIUS_KM". */
export class GeoRadiusPredicate extends GeoPredicate {
  readonly key: string

  constructor(
    target: TargetBinding,
    private readonly center: GeoPoint,
    private readonly radiusKm: number,
  ) {
    super(target, radiusBounds(center, radiusKm))
    this.key = `geo_radius|${target.path}|${center.latitude},${center.longitude}:${radiusKm}`
  }

  protected inside(p: GeoPoint): boolean {
    return distanceKm(this.center, p) <= this.radiusKm
  }
}

/** geo_polygon "LAT1,LON1:LAT2,LON2:…" (3 to 32 vertices; even-odd rule). */
export class GeoPolygonPredicate extends GeoPredicate {
  readonly key: string
  private readonly minLat: number
  private readonly maxLat: number
  private readonly minLon: number
  private readonly maxLon: number

  constructor(
    target: TargetBinding,
    private readonly vertices: readonly GeoPoint[],
  ) {
    super(target, {
      south: Math.min(...vertices.map((v) => v.latitude)),
      north: Math.max(...vertices.map((v) => v.latitude)),
      west: Math.min(...vertices.map((v) => v.longitude)),
      east: Math.max(...vertices.map((v) => v.longitude)),
    })
    this.key = `geo_polygon|${target.path}|${vertices.map((v) => `${v.latitude},${v.longitude}`).join(':')}`
    this.minLat = Math.min(...vertices.map((v) => v.latitude))
    this.maxLat = Math.max(...vertices.map((v) => v.latitude))
    this.minLon = Math.min(...vertices.map((v) => v.longitude))
    this.maxLon = Math.max(...vertices.map((v) => v.longitude))
  }

  protected inside(p: GeoPoint): boolean {
    // The bounding box rejects most points before the ray cast.
    if (
      p.latitude < this.minLat ||
      p.latitude > this.maxLat ||
      p.longitude < this.minLon ||
      p.longitude > this.maxLon
    )
      return false
    let inside = false
    const vs = this.vertices
    for (let i = 0, j = vs.length - 1; i < vs.length; j = i++) {
      const a = vs[i]
      const b = vs[j]
      if (a === undefined || b === undefined) continue
      if (onSegment(p, a, b)) return true
      if (a.latitude > p.latitude !== b.latitude > p.latitude) {
        const lon =
          ((b.longitude - a.longitude) * (p.latitude - a.latitude)) / (b.latitude - a.latitude) +
          a.longitude
        if (p.longitude < lon) inside = !inside
      }
    }
    return inside
  }
}

/**
 * A rectangle containing every point within `km` of `c`. The widest longitude of a spherical cap
 * of angular radius r centred at latitude φ is asin(sin r / cos φ); a cap that reaches a pole
 * spans every longitude. A small margin absorbs rounding, since the plan's index must never
 * miss a point the predicate accepts.
 */
export function radiusBounds(c: GeoPoint, km: number): GeoBounds {
  const margin = 1e-6
  const r = km / EARTH_RADIUS_KM
  const dLat = (r * 180) / Math.PI + margin
  const south = Math.max(-90, c.latitude - dLat)
  const north = Math.min(90, c.latitude + dLat)
  const cosLat = Math.cos((c.latitude * Math.PI) / 180)
  const sinR = Math.sin(Math.min(r, Math.PI / 2))
  if (north >= 90 || south <= -90 || r >= Math.PI / 2 || sinR >= cosLat)
    return { south, north, west: -180, east: 180 }
  const dLon = (Math.asin(sinR / cosLat) * 180) / Math.PI + margin
  if (dLon >= 180) return { south, north, west: -180, east: 180 }
  const wrap = (x: number): number => (x < -180 ? x + 360 : x > 180 ? x - 360 : x)
  return { south, north, west: wrap(c.longitude - dLon), east: wrap(c.longitude + dLon) }
}

function onSegment(p: GeoPoint, a: GeoPoint, b: GeoPoint): boolean {
  const cross =
    (b.latitude - a.latitude) * (p.longitude - a.longitude) -
    (b.longitude - a.longitude) * (p.latitude - a.latitude)
  if (Math.abs(cross) > 1e-12) return false
  return (
    p.latitude >= Math.min(a.latitude, b.latitude) &&
    p.latitude <= Math.max(a.latitude, b.latitude) &&
    p.longitude >= Math.min(a.longitude, b.longitude) &&
    p.longitude <= Math.max(a.longitude, b.longitude)
  )
}
