import { Table, tableFromIPC, tableToIPC } from 'apache-arrow'
import * as pw from 'parquet-wasm'
import { describe, expect, it } from 'vitest'
import {
  arrowToInteractions,
  interactionsToArrow,
  TARGETS,
  type Interaction,
} from '../schemas/index.js'
import { interactionsOf } from './support/normalized-corpus.js'
import { RECORD_FILES } from './support/shared-data.js'

/**
 * Drops undefined members and empty branches (an interaction may hold `links: {}`; columns
 * cannot say a branch exists without values), so a round trip can be compared with toEqual.
 */
function clean(value: unknown): unknown {
  if (typeof value === 'bigint') return `${value}n`
  if (Array.isArray(value)) return value.map(clean)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    const c = clean(v)
    if (c === undefined) continue
    if (c !== null && typeof c === 'object' && !Array.isArray(c) && Object.keys(c).length === 0)
      continue
    out[k] = c
  }
  return out
}

const corpus: Interaction[] = RECORD_FILES.flatMap((f) => interactionsOf(f).slice(0, 400))

describe('interactions as Arrow columns', () => {
  it('round-trips real interactions of every source through Arrow IPC', () => {
    const table = tableFromIPC(tableToIPC(interactionsToArrow(corpus)))
    expect(table.numRows).toBe(corpus.length)
    expect(table.schema.fields.length).toBe(TARGETS.length)
    expect(clean(arrowToInteractions(table))).toEqual(clean(corpus))
  })

  it('round-trips them through a Parquet file (ZSTD), and reads a projection', async () => {
    const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.ZSTD).build()
    const bytes = pw.writeParquet(
      pw.Table.fromIPCStream(tableToIPC(interactionsToArrow(corpus), 'stream')),
      props,
    )
    const back = tableFromIPC(pw.readParquet(bytes).intoIPCStream())
    expect(clean(arrowToInteractions(back))).toEqual(clean(corpus))

    const file = await pw.ParquetFile.fromFile(new Blob([bytes as Uint8Array<ArrayBuffer>]))
    const projected = tableFromIPC(
      (await file.read({ columns: ['interaction.id', 'interaction.created_at'] })).intoIPCStream(),
    )
    expect(projected.schema.fields.map((f) => f.name)).toEqual([
      'interaction.id',
      'interaction.created_at',
    ])
    expect(arrowToInteractions(projected)).toEqual(
      corpus.map((i) => ({
        interaction: { id: i.interaction?.id, created_at: i.interaction?.created_at },
      })),
    )
  })

  it('keeps a leading U+FEFF in strings and lists of strings (Arrow JS alone would drop it)', () => {
    const one = [
      { interaction: { id: 'a', content: '\uFEFFhello \uFEFF', hashtags: ['\uFEFFx', 'y'] } },
    ] as Interaction[]
    const table = interactionsToArrow(one)
    expect(table.getChild('interaction.content')?.get(0)).toBe('hello \uFEFF')
    const back = arrowToInteractions(table)
    expect(back[0]?.interaction?.content).toBe('\uFEFFhello \uFEFF')
    expect(back[0]?.interaction?.hashtags).toEqual(['\uFEFFx', 'y'])
  })

  it('reads slices of batches, as the master reader yields them', () => {
    const table = interactionsToArrow(corpus.slice(0, 50))
    const [batch] = table.batches
    const slice = new Table([batch?.slice(10, 20)].filter((b) => b !== undefined))
    expect(arrowToInteractions(slice).map(clean)).toEqual(corpus.slice(10, 20).map(clean))
  })

  it('keeps only the asked columns', () => {
    const some = TARGETS.filter((t) => t.path.startsWith('interaction.author.'))
    const table = interactionsToArrow(corpus, some)
    expect(table.schema.fields.map((f) => f.name)).toEqual(some.map((t) => t.path))
    expect(table.schema.fields[0]?.metadata.get('sluice.type')).toBe(some[0]?.type)
  })
})
