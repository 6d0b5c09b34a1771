import { describe, expect, it } from 'vitest'
import {
  NORMALIZE_ERROR_CODES,
  NormalizeTally,
  TARGETS,
  validateInteraction,
  type Interaction,
  type InteractionType,
} from '../schemas/index.js'
import { interactionsOf, normalizedFile } from './support/normalized-corpus.js'
import { dataLines, RECORD_FILES } from './support/shared-data.js'

const POST_FILES = RECORD_FILES.filter((f) => !f.includes('noise') && !f.includes('malformed'))

function tally(file: string): NormalizeTally {
  const t = new NormalizeTally(1000)
  for (const r of normalizedFile(file)) t.add(r.outcome, r.line)
  return t
}

/** Every dotted path holding a value in an interaction. */
function filledPaths(value: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (value === undefined || value === null) return out
  if (typeof value === 'object' && !Array.isArray(value) && !('latitude' in value)) {
    for (const [k, v] of Object.entries(value))
      filledPaths(v, prefix === '' ? k : `${prefix}.${k}`, out)
  } else out.add(prefix)
  return out
}

describe('every record of ../shared/data normalizes, or is a notice, or a reasoned error', () => {
  it.each(RECORD_FILES)('%s', (file) => {
    const records = normalizedFile(file)
    expect(records.length).toBe(dataLines(file).length)
    for (const r of records) {
      if (r.outcome.kind === 'malformed') {
        expect(NORMALIZE_ERROR_CODES).toContain(r.outcome.error.code)
        expect(r.outcome.error.message.length).toBeGreaterThan(10)
      }
      if (r.outcome.kind === 'interactions') {
        expect(r.outcome.interactions.length).toBeGreaterThan(0)
        for (const i of r.outcome.interactions)
          expect(validateInteraction(i), `${file}:${r.line}`).toEqual([])
      }
    }
  })

  it.each(POST_FILES)('%s holds only posts: no notice, nothing malformed', (file) => {
    const t = tally(file)
    expect(t.malformed, t.report()).toBe(0)
    expect(t.notices).toBe(0)
    expect(t.interactions).toBeGreaterThanOrEqual(t.records)
  })

  it('recognises every stream message as a notice of the right kind', () => {
    const t = tally('twitter-stream-noise.jsonl.gz')
    expect(t.notices).toBe(dataLines('twitter-stream-noise.jsonl.gz').length)
    const expected = new Map<string, number>()
    for (const line of dataLines('twitter-stream-noise.jsonl.gz')) {
      const o = JSON.parse(line) as Record<string, unknown>
      const kind =
        'delete' in o || o['action'] === 'delete'
          ? 'delete'
          : 'limit' in o
            ? 'limit'
            : 'scrub_geo' in o
              ? 'scrub_geo'
              : 'direct_message' in o
                ? 'direct_message'
                : 'event' in o
                  ? 'event'
                  : 'other'
      expected.set(kind, (expected.get(kind) ?? 0) + 1)
    }
    expect(Object.fromEntries(t.noticesByKind)).toEqual(Object.fromEntries(expected))
  })

  it('sets the truncated stream line aside as invalid JSON, with the parser position', () => {
    const [r] = normalizedFile('twitter-stream-malformed-lines.txt')
    expect(r?.outcome.kind).toBe('malformed')
    if (r?.outcome.kind !== 'malformed') return
    expect(r.outcome.error.code).toBe('invalid_json')
    expect(r.outcome.error.message).toMatch(/position \d+/)
  })

  it('gives every tweet of the v1 sample a distinct, deterministic interaction.id', () => {
    const ids = interactionsOf('twitter-v1-sample.jsonl.gz').map((i) => i.interaction?.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids.slice(0, 100)) expect(id).toMatch(/^[0-9a-f]{32}$/)
  })
})

/**
 * Targets a source can fill but that no record of the corpus happens to fill, each with why.
 * Kept short on purpose: anything else the schema promises must show up in real data.
 */
const ABSENT_FROM_CORPUS: Readonly<Record<string, string>> = {
  'interaction.geo (facebook)':
    'Graph API place.location has coordinates; the one tagged place in the sample has a name only',
  'links.url (foursquare)': 'a shout may hold a link; none of the 7 shouts in the sample does',
  'links.normalized_url (foursquare)': 'derived from links.url (see above)',
  'links.domain (foursquare)': 'derived from links.url (see above)',
}

describe('field coverage on real records', () => {
  const filled = new Map<InteractionType, Set<string>>()
  const all: Interaction[] = POST_FILES.flatMap((f) => interactionsOf(f))
  for (const i of all) {
    const type = i.interaction?.type as InteractionType
    const set = filled.get(type) ?? new Set<string>()
    filledPaths(i, '', set)
    filled.set(type, set)
  }

  it('fills each target from at least one real record of every source the schema says fills it', () => {
    const missing: string[] = []
    for (const t of TARGETS)
      for (const s of t.sources) if (!filled.get(s)?.has(t.path)) missing.push(`${t.path} (${s})`)
    expect(missing).toEqual(Object.keys(ABSENT_FROM_CORPUS))
  })

  it('never fills a target from a source the schema does not list for it', () => {
    const extra: string[] = []
    for (const t of TARGETS)
      for (const [s, paths] of filled)
        if (paths.has(t.path) && !t.sources.includes(s)) extra.push(`${t.path} (${s})`)
    expect(extra).toEqual([])
  })
})
