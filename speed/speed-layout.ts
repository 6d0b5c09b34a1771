import type { SpeedStore } from '../schemas/ports/index.js'

/** Routes a new speed store is split into when nobody says otherwise. */
export const DEFAULT_ROUTES = 4

// Route 0 holds the layout: every process and reader of a store must agree on the routes, or
// ids hash to other routes (counted twice) and readers miss rows.
const ROUTES_KEY = 'm\u0000routes'

/** A speed store already split into other routes than asked. */
export class SpeedLayoutError extends Error {
  override readonly name = 'SpeedLayoutError'
  constructor(
    readonly location: string,
    readonly stored: number,
    readonly asked: number,
  ) {
    super(
      `speed store ${location} is split into ${stored} routes, not ${asked}: leave --routes out, or start a new speed store`,
    )
  }
}

/**
 * The routes `store` is split into: the stored count, recorded first by whoever opens a new
 * store (`routes`, or {@link DEFAULT_ROUTES}). Asking for a different count of an existing
 * store is an error.
 */
export async function speedRoutes(store: SpeedStore, routes?: number): Promise<number> {
  for (;;) {
    const { version, values } = await store.read(0, [ROUTES_KEY])
    const bytes = values.get(ROUTES_KEY)
    if (bytes !== undefined) {
      const stored = Number(new TextDecoder().decode(bytes))
      if (routes !== undefined && routes !== stored)
        throw new SpeedLayoutError(store.location, stored, routes)
      return stored
    }
    const chosen = routes ?? DEFAULT_ROUTES
    const value = new TextEncoder().encode(String(chosen))
    if (await store.commit(0, version, { puts: [{ key: ROUTES_KEY, value }] })) return chosen
  }
}
