import { createHash } from 'node:crypto'
import { promisify } from 'node:util'
import { constants, gunzip, gzip } from 'node:zlib'
import { definitionTargets, FilterSet, type CompiledDefinition } from '../query-dsl/index.js'
import {
  arrowToInteractions,
  dayStart,
  decodeEntries,
  encodeEntries,
  findTarget,
  partitionPrefix,
  scanMaster,
  viewTargets,
  type MasterSnapshot,
  type View,
} from '../schemas/index.js'
import { listAll, type ObjectStore } from '../schemas/ports/index.js'
import { Table } from 'apache-arrow'
import { viewRowKey } from './view-row-keys.js'
import {
  BucketFolds,
  parseAggregateKey,
  type ViewAggregates,
  viewsSignature,
} from './view-aggregates.js'

const gzipAsync = promisify(gzip)
const gunzipAsync = promisify(gunzip)
const DAY_MS = 86_400_000
export const PARTIALS_PREFIX = 'batch/partials/'

/** One (type, day) partition of the master dataset, as `type/date`. */
export interface Partition {
  readonly type: string
  readonly date: string
}

export function partitionName(p: Partition): string {
  return `${p.type}/${p.date}`
}

/** The partitions of a snapshot, in order. */
export function partitionsOf(snapshot: MasterSnapshot): Partition[] {
  return [...new Set([...snapshot.parts.values()].map((p) => partitionName(p)))]
    .sort()
    .map((name) => {
      const [type, date] = name.split('/') as [string, string]
      return { type, date }
    })
}

/**
 * What a partition's partials were computed from: its published parts and the view
 * definitions. A late record (a new part) or a compaction changes it; nothing else does.
 */
export function partitionFingerprint(
  snapshot: MasterSnapshot,
  partition: Partition,
  views: readonly View[],
): string {
  const hash = createHash('sha256')
  hash.update(viewsSignature(views) + '\n')
  for (const key of [...snapshot.parts.keys()]
    .filter((k) => k.startsWith(partitionPrefix(partition.type, partition.date)))
    .sort())
    hash.update(`${key}\n`)
  return hash.digest('hex').slice(0, 32)
}

function partitionPartialsPrefix(p: Partition): string {
  return `${PARTIALS_PREFIX}type=${p.type}/date=${p.date}/`
}

/** The fingerprint is in the key: partials of an older state of the partition are never read. */
export function partialKey(p: Partition, fingerprint: string, stream: string): string {
  return `${partitionPartialsPrefix(p)}fp=${fingerprint}/stream=${stream}.bin.gz`
}

/** The streams that have a partial of `partition` computed from `fingerprint` (one listing). */
export async function streamsWithPartials(
  store: ObjectStore,
  partition: Partition,
  fingerprint: string,
): Promise<Set<string>> {
  const prefix = `${partitionPartialsPrefix(partition)}fp=${fingerprint}/stream=`
  const out = new Set<string>()
  for await (const o of listAll(store, prefix))
    if (o.key.endsWith('.bin.gz')) out.add(o.key.slice(prefix.length, -'.bin.gz'.length))
  return out
}

/**
 * A partial entry's key: the view's name, then the row's key in the view's shards, so the
 * build writes stored values through without decoding them.
 */
export function partialEntryKey(view: string, rowKey: string): string {
  return `${view}\u0001${rowKey}`
}

export function splitEntryKey(entryKey: string): readonly [view: string, rowKey: string] {
  const at = entryKey.indexOf('\u0001')
  return [entryKey.slice(0, at), entryKey.slice(at + 1)]
}

/** The stored entries of one (partition, stream), when computed from `fingerprint`. */
export async function readPartialEntries(
  store: ObjectStore,
  partition: Partition,
  fingerprint: string,
  stream: string,
): Promise<[string, Uint8Array][] | undefined> {
  const bytes = await store.get(partialKey(partition, fingerprint, stream))
  if (bytes === undefined) return undefined
  return [...decodeEntries(await gunzipAsync(bytes))]
}

/** A partial the build needs is not in the store (its task failed, or a partial was deleted). */
export class MissingPartialError extends Error {
  override readonly name = 'MissingPartialError'
  constructor(
    readonly partition: string,
    readonly stream: string,
  ) {
    super(`no partial of partition ${partition} for stream ${stream}`)
  }
}

/**
 * The hour and day rows of one stream on one day, from the partials of that day's partitions
 * (one per type) in `snapshot`: what a version build writes for a changed (stream, day).
 */
export function partialRows(
  store: ObjectStore,
  views: readonly View[],
  snapshot: MasterSnapshot,
): (stream: string, day: string) => Promise<Iterable<readonly [string, Uint8Array]>> {
  const byDay = new Map<string, Partition[]>()
  for (const p of partitionsOf(snapshot)) byDay.set(p.date, [...(byDay.get(p.date) ?? []), p])
  const fingerprints = new Map<string, string>()
  return async (stream, day) => {
    const lists: [string, Uint8Array][][] = []
    for (const partition of byDay.get(day) ?? []) {
      const name = partitionName(partition)
      let fingerprint = fingerprints.get(name)
      if (fingerprint === undefined) {
        fingerprint = partitionFingerprint(snapshot, partition, views)
        fingerprints.set(name, fingerprint)
      }
      const entries = await readPartialEntries(store, partition, fingerprint, stream)
      if (entries === undefined) throw new MissingPartialError(name, stream)
      lists.push(entries)
    }
    return mergeEntryLists(views, lists)
  }
}

/**
 * The entries of several partitions of one day (one per type) as one list: values under the
 * same key are decoded, merged by their view's monoid and encoded again; the rest pass through.
 */
export function mergeEntryLists(
  views: readonly View[],
  lists: readonly (readonly [string, Uint8Array])[][],
): Iterable<readonly [string, Uint8Array]> {
  if (lists.length === 1) return lists[0] as (readonly [string, Uint8Array])[]
  const byName = new Map(views.map((v) => [v.name, v]))
  const out = new Map<string, Uint8Array>()
  for (const list of lists)
    for (const [key, bytes] of list) {
      const mine = out.get(key)
      if (mine === undefined) {
        out.set(key, bytes)
        continue
      }
      const view = byName.get(splitEntryKey(key)[0])
      if (view === undefined) continue
      const m = view.monoid
      out.set(key, m.encode(m.merge(m.decode(mine), m.decode(bytes))))
    }
  return out
}

/** The entries of `aggregates`, encoded and grouped by stream in one pass. */
export function entriesByStream(aggregates: ViewAggregates): Map<string, [string, Uint8Array][]> {
  const byName = new Map(aggregates.views.map((v) => [v.name, v]))
  const out = new Map<string, [string, Uint8Array][]>()
  for (const [key, value] of aggregates.values) {
    const k = parseAggregateKey(key)
    const view = byName.get(k.view)
    if (view === undefined) continue
    let list = out.get(k.stream)
    if (list === undefined) {
      list = []
      out.set(k.stream, list)
    }
    list.push([
      partialEntryKey(k.view, viewRowKey(k.stream, k.granularity, k.bucket, k.key)),
      view.monoid.encode(value),
    ])
  }
  return out
}

/**
 * Folds one (type, day) partition of the master dataset into the views of `streams`, reading
 * only the columns the streams and views need, and stores one partial per stream (a stream
 * without matches gets an empty one, so the partition counts as done for it).
 */
export async function computePartition(
  store: ObjectStore,
  snapshot: MasterSnapshot,
  partition: Partition,
  streams: readonly CompiledDefinition[],
  views: readonly View[],
): Promise<void> {
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
  const from = dayStart(partition.date)
  const folds = new BucketFolds(views, 'hour')
  for await (const batch of scanMaster(store, {
    snapshot,
    types: [partition.type],
    from,
    to: from + DAY_MS,
    columns,
  }))
    folds.add(arrowToInteractions(new Table([batch])), set)
  // Hour rows are encoded first; the day's value then takes over the first hour's value and
  // merges the others into it, so no value is copied.
  const entries = new Map<string, [string, Uint8Array][]>(streams.map((d) => [d.hash, []]))
  const days = new Map<string, Map<string, unknown>>()
  for (const { view, stream, bucket, key, value } of folds.values()) {
    entries
      .get(stream)
      ?.push([
        partialEntryKey(view.name, viewRowKey(stream, 'hour', bucket, key)),
        view.monoid.encode(value),
      ])
    const dayKey = partialEntryKey(view.name, viewRowKey(stream, 'day', from, key))
    let day = days.get(stream)
    if (day === undefined) {
      day = new Map()
      days.set(stream, day)
    }
    const mine = day.get(dayKey)
    day.set(dayKey, mine === undefined ? value : view.monoid.merge(mine, value))
  }
  const byName = new Map(views.map((v) => [v.name, v]))
  for (const [stream, values] of days)
    for (const [dayKey, value] of values) {
      const view = byName.get(splitEntryKey(dayKey)[0]) as View
      entries.get(stream)?.push([dayKey, view.monoid.encode(value)])
    }
  const fingerprint = partitionFingerprint(snapshot, partition, views)
  await Promise.all(
    [...entries].map(async ([stream, list]) => {
      const gz = await gzipAsync(encodeEntries(list), { level: constants.Z_BEST_SPEED })
      await store.put(partialKey(partition, fingerprint, stream), gz)
    }),
  )
}

/**
 * Deletes partials no later run can read: those of an older state of a partition (another
 * fingerprint) and those of streams no longer registered.
 */
export async function deleteStalePartials(
  store: ObjectStore,
  current: ReadonlyMap<string, string>,
  streams: ReadonlySet<string>,
): Promise<number> {
  let deleted = 0
  for await (const o of listAll(store, PARTIALS_PREFIX)) {
    const m =
      /^batch\/partials\/type=([^/]+)\/date=([^/]+)\/fp=([^/]+)\/stream=([^/]+)\.bin\.gz$/.exec(
        o.key,
      )
    const fresh =
      m !== null && current.get(`${m[1] ?? ''}/${m[2] ?? ''}`) === m[3] && streams.has(m[4] ?? '')
    if (!fresh) {
      await store.delete(o.key)
      deleted++
    }
  }
  return deleted
}
