import type { ViewAggregates } from '../../batch/index.js'
import {
  topEntries,
  type TopSummary,
  type View,
  type ViewQuery,
  type ViewRow,
} from '../../schemas/index.js'

/** A comparable form of a view value: top summaries by their entries, the rest by their bytes. */
export function canonicalValue(view: View, value: unknown): string {
  return view.name === 'top'
    ? JSON.stringify(topEntries(value as TopSummary, Infinity))
    : Buffer.from(view.monoid.encode(value)).toString('base64')
}

/** Aggregates keyed as `aggregateKey`, each value in its comparable form. */
export function canonicalAggregates(aggregates: ViewAggregates): Map<string, string> {
  const byName = new Map(aggregates.views.map((v) => [v.name, v]))
  const out = new Map<string, string>()
  for (const [key, value] of aggregates.values) {
    const view = byName.get(key.split('\u0001')[0] ?? '') as View
    out.set(key, canonicalValue(view, value))
  }
  return out
}

/**
 * Every row a read API serves for `streams` at `granularities`, keyed as `aggregateKey` with
 * comparable values: what an oracle's {@link canonicalAggregates} must equal.
 */
export async function servedRows(
  read: (query: ViewQuery) => Promise<readonly ViewRow[]>,
  streams: readonly string[],
  views: readonly View[],
  granularities: readonly ViewQuery['granularity'][],
): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for (const stream of streams)
    for (const view of views)
      for (const granularity of granularities)
        for (const row of await read({ stream, view: view.name, granularity, from: 0, to: 4e12 }))
          out.set(
            [view.name, stream, granularity, String(row.bucket), row.key].join('\u0001'),
            canonicalValue(view, row.value),
          )
  return out
}
