import { PermanentJobError } from '../schemas/ports/index.js'
import type { RouteBatch } from './route-batch.js'

/**
 * A route's queue: the parts of hand-off jobs that belong to the route, read by whichever
 * speed process holds the route's lease (the route's one writer).
 */
export function routeQueueName(route: number): string {
  return `speed-route-${route}`
}

/** A part's job id: its hand-off job's and its route, so forwarding again adds nothing new. */
export function routeJobId(job: string, route: number): string {
  return `${job}.r${route}`
}

function isRoutedInteraction(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  const i = value as Record<string, unknown>
  return (
    typeof i['id'] === 'string' &&
    typeof i['at'] === 'number' &&
    Array.isArray(i['streams']) &&
    Array.isArray(i['items'])
  )
}

/** A route part read back from its queue, checked; a damaged one can never apply. */
export function parseRouteBatch(data: unknown, route: number): RouteBatch {
  const o = data as Partial<RouteBatch> | null
  if (
    typeof o !== 'object' ||
    o === null ||
    typeof o.job !== 'string' ||
    o.route !== route ||
    !Array.isArray(o.interactions) ||
    !(o.interactions as unknown[]).every(isRoutedInteraction)
  )
    throw new PermanentJobError(`not a route part of route ${route}`)
  return o as RouteBatch
}
