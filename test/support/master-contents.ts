import { dayOf, normalizeLine, scanMaster, type MasterScan } from '../../schemas/index.js'
import { listAll, type ObjectStore } from '../../schemas/ports/index.js'

/**
 * Partition (`type/day`) → distinct interaction ids of raw records, computed with the
 * normalizers alone (independently of the shredder), for comparing with what it published.
 */
export function expectedPartitions(
  segments: readonly { readonly source: string; readonly records: readonly string[] }[],
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>()
  for (const s of segments)
    for (const line of s.records) {
      const o = normalizeLine(line, s.source as 'twitter-v1')
      if (o.kind !== 'interactions') continue
      for (const i of o.interactions) {
        const name = `${i.interaction?.type}/${dayOf(i.interaction?.created_at ?? 0)}`
        const set = out.get(name) ?? new Set<string>()
        set.add(i.interaction?.id ?? '')
        out.set(name, set)
      }
    }
  return out
}

/** Partition → ids as Sluice's reader returns them: every row, duplicates kept. */
export async function publishedIds(
  store: ObjectStore,
  scan: Partial<MasterScan> = {},
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>()
  for await (const batch of scanMaster(store, {
    columns: ['interaction.id', 'interaction.type'],
    ...scan,
  })) {
    const ids = batch.getChild('interaction.id')
    const types = batch.getChild('interaction.type')
    const times = batch.getChild('interaction.created_at')
    for (let row = 0; row < batch.numRows; row++) {
      const name = `${String(types?.get(row))}/${dayOf(Number(times?.get(row)))}`
      const list = out.get(name) ?? []
      list.push(String(ids?.get(row)))
      out.set(name, list)
    }
  }
  return out
}

export async function keysUnder(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = []
  for await (const o of listAll(store, prefix)) keys.push(o.key)
  return keys
}
