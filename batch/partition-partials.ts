import { createHash } from 'node:crypto'
import { promisify } from 'node:util'
import { gunzip, gzip } from 'node:zlib'
import { definitionTargets, FilterSet, type CompiledDefinition } from '../query-dsl/index.js'
import {
  arrowToInteractions,
  dayStart,
  findTarget,
  partitionPrefix,
  scanMaster,
  viewTargets,
  type MasterSnapshot,
  type View,
} from '../schemas/index.js'
import type { ObjectStore } from '../schemas/ports/index.js'
import { Table } from 'apache-arrow'
import { aggregateInteractions, parseAggregateKey, ViewAggregates } from './view-aggregates.js'

const gzipAsync = promisify(gzip)
const gunzipAsync = promisify(gunzip)
const DAY_MS = 86_400_000
export const PARTIALS_PREFIX = 'batch/partials/'

/**
 * What a partition's partial aggregates were computed from: its published parts and the view
 * definitions. A late record (a new part) or a compaction changes it; nothing else does.
 */
export function partitionFingerprint(
  snapshot: MasterSnapshot,
  type: string,
  date: string,
  views: readonly View[],
): string {
  const hash = createHash('sha256')
  hash.update(views.map((v) => `${v.name}:${v.monoid.name}`).join(',') + '\n')
  for (const key of [...snapshot.parts.keys()]
    .filter((k) => k.startsWith(partitionPrefix(type, date)))
    .sort())
    hash.update(`${key}\n`)
  return hash.digest('hex').slice(0, 32)
}

export function partialKey(type: string, date: string, stream: string): string {
  return `${PARTIALS_PREFIX}type=${type}/date=${date}/stream=${stream}.json.gz`
}

interface StoredPartial {
  readonly fingerprint: string
  readonly entries: readonly (readonly [string, string])[]
}

/** A stored partial of one (partition, stream), when it was computed from `fingerprint`. */
export async function readPartial(
  store: ObjectStore,
  views: readonly View[],
  type: string,
  date: string,
  stream: string,
  fingerprint: string,
): Promise<ViewAggregates | undefined> {
  const bytes = await store.get(partialKey(type, date, stream))
  if (bytes === undefined) return undefined
  const stored = JSON.parse((await gunzipAsync(bytes)).toString('utf8')) as StoredPartial
  if (stored.fingerprint !== fingerprint) return undefined
  const out = new ViewAggregates(views)
  const byName = new Map(views.map((v) => [v.name, v]))
  for (const [key, value] of stored.entries) {
    const view = byName.get(parseAggregateKey(key).view)
    if (view === undefined) return undefined
    out.values.set(key, view.monoid.decode(Buffer.from(value, 'base64')))
  }
  return out
}

async function writePartial(
  store: ObjectStore,
  type: string,
  date: string,
  stream: string,
  fingerprint: string,
  entries: readonly (readonly [string, string])[],
): Promise<void> {
  const body: StoredPartial = { fingerprint, entries }
  await store.put(partialKey(type, date, stream), await gzipAsync(JSON.stringify(body)))
}

/** The encoded entries of `aggregates`, grouped by stream in one pass. */
function entriesByStream(aggregates: ViewAggregates): Map<string, [string, string][]> {
  const byName = new Map(aggregates.views.map((v) => [v.name, v]))
  const out = new Map<string, [string, string][]>()
  for (const [key, value] of aggregates.values) {
    const k = parseAggregateKey(key)
    const view = byName.get(k.view)
    if (view === undefined) continue
    let list = out.get(k.stream)
    if (list === undefined) {
      list = []
      out.set(k.stream, list)
    }
    list.push([key, Buffer.from(view.monoid.encode(value)).toString('base64')])
  }
  return out
}

/**
 * Folds one (type, day) partition of the master dataset into the views of `streams`, reading
 * only the columns the streams and views need, and stores one partial per stream.
 */
export async function computePartition(
  store: ObjectStore,
  snapshot: MasterSnapshot,
  type: string,
  date: string,
  streams: readonly CompiledDefinition[],
  views: readonly View[],
): Promise<ViewAggregates> {
  const set = new FilterSet()
  for (const def of streams) set.add(def)
  const columns = [
    ...new Set([
      'interaction.id',
      'interaction.type',
      ...viewTargets(views),
      ...streams.flatMap(definitionTargets),
    ]),
  ].filter((path) => findTarget(path) !== undefined)
  const from = dayStart(date)
  const aggregates = new ViewAggregates(views)
  for await (const batch of scanMaster(store, {
    snapshot,
    types: [type],
    from,
    to: from + DAY_MS,
    columns,
  }))
    aggregateInteractions(arrowToInteractions(new Table([batch])), set, views, aggregates)
  const fingerprint = partitionFingerprint(snapshot, type, date, views)
  const grouped = entriesByStream(aggregates)
  for (const def of streams)
    await writePartial(store, type, date, def.hash, fingerprint, grouped.get(def.hash) ?? [])
  return aggregates
}
