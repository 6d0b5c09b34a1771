import { Field, List, Table, Utf8, vectorFromArray } from 'apache-arrow'
import { decodeInteraction, type Interaction } from '../../schemas/index.js'
import { writeArrowPart } from '../../shredder/index.js'
import { interactionsToArrow } from '../../schemas/index.js'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import { recordsToCsv } from '../recordings/chunk-csv.js'
import type { ChunkFormat } from './replay-layout.js'
import type { ReplayRecord } from './replay-scan.js'

const gzipAsync = promisify(gzip)

/** A replay record's line could not be turned back into an interaction (a bug, not input). */
export class ReplayRecordError extends Error {
  override readonly name = 'ReplayRecordError'
  constructor(
    readonly id: string,
    reason: string,
  ) {
    super(`replay record ${id}: ${reason}`)
  }
}

interface Matched {
  readonly interaction: Interaction
  readonly streams: readonly string[]
  readonly tags: readonly string[]
}

function parseRecord(r: ReplayRecord): Matched {
  const { sluice, ...rest } = JSON.parse(r.line) as {
    sluice: { streams: string[]; tags: string[] }
  } & Record<string, unknown>
  const decoded = decodeInteraction(rest)
  if (!decoded.ok) throw new ReplayRecordError(r.id, JSON.stringify(decoded.violations[0]))
  return { interaction: decoded.interaction, streams: sluice.streams, tags: sluice.tags }
}

const stringList = (): List<Utf8> => new List(new Field('item', new Utf8(), true))

/**
 * One output chunk's bytes: gzip NDJSON (each line the interaction's JSON with `sluice.streams`
 * and `sluice.tags`), gzip CSV of the `fields` targets, or Parquet with the master dataset's
 * columns plus `sluice.streams` and `sluice.tags` (lists of strings), in the records' order.
 */
export async function encodeChunk(
  records: readonly ReplayRecord[],
  format: ChunkFormat,
  fields: readonly string[] = [],
): Promise<Uint8Array> {
  if (format === 'ndjson')
    return gzipAsync(records.map((r) => `${r.line}\n`).join(''), { level: 6 })
  if (format === 'csv')
    return gzipAsync(
      recordsToCsv(
        records.map((r) => r.line),
        fields,
      ),
      { level: 6 },
    )
  const rows = records.map(parseRecord)
  const table = interactionsToArrow(rows.map((r) => r.interaction))
  const extra = new Table({
    'sluice.streams': vectorFromArray(
      rows.map((r) => [...r.streams]),
      stringList(),
    ),
    'sluice.tags': vectorFromArray(
      rows.map((r) => [...r.tags]),
      stringList(),
    ),
  })
  return writeArrowPart(table.assign(extra), {
    metadata: { 'sluice.replay.records': String(rows.length) },
  })
}
