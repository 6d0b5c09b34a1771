/*
 * The registered streams of the layer benchmarks: realistic filters generated from the real
 * sample's vocabulary (as in bench/csdl), registered beside the built-in "all interactions".
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { StreamRegistry, type StreamCatalog } from '../query-dsl/index.js'
import { augment, normalizeLine, type Interaction } from '../schemas/index.js'
import { generateFilters, vocabularyFrom } from './csdl-workload.js'

/** Registers `count` generated filters (seeded) in `catalog`, owned by `bench`. */
export async function registerBenchStreams(
  catalog: StreamCatalog,
  dataDir: string,
  count: number,
  seed: number,
): Promise<void> {
  const sample: Interaction[] = []
  for (const line of gunzipSync(readFileSync(join(dataDir, 'twitter-v1-sample.jsonl.gz')))
    .toString('utf8')
    .split('\n')) {
    if (line === '') continue
    const o = normalizeLine(line, 'twitter-v1')
    if (o.kind === 'interactions') for (const i of o.interactions) sample.push(augment(i))
  }
  const registry = new StreamRegistry()
  const filters = generateFilters(vocabularyFrom(sample), count, seed, (source) => {
    const r = registry.register(source)
    return r.ok ? r.definition.hash : ''
  })
  for (const [i, f] of filters.entries()) await catalog.create(f, `bench-${i}`, 'bench')
}
