import type { GeoPoint } from '../schemas/index.js'
import { removeFirst } from './array-remove.js'
import type { GeoBounds } from './predicate.js'

/** Boxes spanning more cells than this are checked for every point instead of listed per cell. */
const MAX_CELLS = 2500

interface GridSlot<E> {
  readonly entry: E
  readonly box: GeoBounds
  /** The cells it is listed in; undefined when it is in the `everywhere` list. */
  readonly cells: readonly number[] | undefined
}

/**
 * Boxes on a grid of one-degree cells: a point visits only the boxes listed in its own cell
 * (and the few too large to list), whatever the number of boxes.
 */
export class GeoGrid<E> {
  private readonly cells = new Map<number, GridSlot<E>[]>()
  private readonly everywhere: GridSlot<E>[] = []
  private readonly slots = new Map<E, GridSlot<E>>()

  get size(): number {
    return this.slots.size
  }

  add(entry: E, box: GeoBounds): void {
    if (this.slots.has(entry)) return
    const cells = cellsOf(box)
    const slot: GridSlot<E> = { entry, box, cells }
    this.slots.set(entry, slot)
    if (cells === undefined) this.everywhere.push(slot)
    else
      for (const c of cells) {
        const list = this.cells.get(c)
        if (list === undefined) this.cells.set(c, [slot])
        else list.push(slot)
      }
  }

  remove(entry: E): void {
    const slot = this.slots.get(entry)
    if (slot === undefined) return
    this.slots.delete(entry)
    if (slot.cells === undefined) removeFirst(this.everywhere, slot)
    else
      for (const c of slot.cells) {
        const list = this.cells.get(c)
        if (list === undefined) continue
        removeFirst(list, slot)
        if (list.length === 0) this.cells.delete(c)
      }
  }

  /** Calls `found` for every box containing the point (boundaries included). */
  visit(p: GeoPoint, found: (entry: E) => void): void {
    const list = this.cells.get(cellOf(p.latitude, p.longitude))
    if (list !== undefined) for (const slot of list) if (inBox(slot.box, p)) found(slot.entry)
    for (const slot of this.everywhere) if (inBox(slot.box, p)) found(slot.entry)
  }
}

/** The cell of a point; the poles and the antimeridian fold into their neighbours. */
function cellOf(latitude: number, longitude: number): number {
  const row = Math.min(179, Math.max(0, Math.floor(latitude) + 90))
  const col = Math.min(359, Math.max(0, Math.floor(longitude) + 180))
  return row * 360 + col
}

/** Every cell a box touches, or undefined when that is more than MAX_CELLS. */
function cellsOf(box: GeoBounds): number[] | undefined {
  const south = cellOf(box.south, -180)
  const north = cellOf(box.north, -180)
  const ranges: [number, number][] =
    box.west <= box.east
      ? [[box.west, box.east]]
      : [
          [box.west, 180],
          [-180, box.east],
        ]
  // A box crossing the antimeridian can touch one column from both sides.
  const cols = new Set<number>()
  for (const [w, e] of ranges) for (let c = cellOf(-90, w); c <= cellOf(-90, e); c++) cols.add(c)
  const rows = (north - south) / 360 + 1
  if (rows * cols.size > MAX_CELLS) return undefined
  const out: number[] = []
  for (let r = south; r <= north; r += 360) for (const c of cols) out.push(r + c)
  return out
}

function inBox(b: GeoBounds, p: GeoPoint): boolean {
  if (p.latitude < b.south || p.latitude > b.north) return false
  return b.west <= b.east
    ? p.longitude >= b.west && p.longitude <= b.east
    : p.longitude >= b.west || p.longitude <= b.east
}
