import { FilterSet, type CompiledDefinition } from '../../query-dsl/index.js'
import { augment, normalizeLine } from '../../schemas/index.js'

/**
 * What a recording of `definition` over `[start, end)` must hold, by brute force over the
 * tweets sent: the distinct interactions it matches created in the window, in output order
 * (created_at, then id).
 */
export function expectedRecording(
  sent: readonly string[],
  definition: CompiledDefinition,
  start: number,
  end: number,
): string[] {
  const set = new FilterSet()
  set.add(definition)
  const byId = new Map<string, number>()
  for (const line of sent) {
    const o = normalizeLine(line, 'twitter-v1')
    if (o.kind !== 'interactions') continue
    for (const raw of o.interactions) {
      const i = augment(raw)
      const at = i.interaction?.created_at ?? 0
      const id = i.interaction?.id ?? ''
      if (at >= start && at < end && set.match(i).length > 0) byId.set(id, at)
    }
  }
  return [...byId]
    .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([id]) => id)
}
