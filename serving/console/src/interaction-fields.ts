/** An interaction as the API sends it: JSON keyed by CSDL target namespaces. */
export type InteractionJson = Readonly<Record<string, unknown>>

function at(value: unknown, path: readonly string[]): unknown {
  let v = value
  for (const p of path) {
    if (typeof v !== 'object' || v === null) return undefined
    v = (v as Record<string, unknown>)[p]
  }
  return v
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** The fields the console shows of an interaction, read defensively (sources fill different ones). */
export function fieldsOf(i: InteractionJson) {
  const geo = at(i, ['interaction', 'geo'])
  const lat = at(geo, ['latitude'])
  const lon = at(geo, ['longitude'])
  const sentiment = at(i, ['salience', 'content', 'sentiment'])
  const hashtags = at(i, ['interaction', 'hashtags'])
  return {
    id: text(at(i, ['interaction', 'id'])) ?? '',
    type: text(at(i, ['interaction', 'type'])) ?? '',
    createdAt: text(at(i, ['interaction', 'created_at'])) ?? '',
    author: text(at(i, ['interaction', 'author', 'username'])) ?? '',
    content: text(at(i, ['interaction', 'content'])) ?? '',
    language: text(at(i, ['language', 'tag'])),
    sentiment: typeof sentiment === 'number' ? sentiment : undefined,
    gender: text(at(i, ['demographic', 'gender'])),
    hashtags: Array.isArray(hashtags) ? hashtags.filter((h) => typeof h === 'string') : [],
    geo:
      typeof lat === 'number' && typeof lon === 'number'
        ? { latitude: lat, longitude: lon }
        : undefined,
  }
}

export type InteractionFields = ReturnType<typeof fieldsOf>
