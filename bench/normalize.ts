/*
 * bench/normalize: records/s on one core for the full normalize+augment path over the real
 * Twitter v1.1 sample, replayed (cycled) to --records records, plus the cost of each stage and
 * peak RSS. Issue 2's target: >= 20,000 records/s on one core.
 *
 *   npm run build && node --expose-gc dist/bench/normalize.js [--records 1000000] [--data DIR]
 */
import { readFileSync } from 'node:fs'
import { PerformanceObserver } from 'node:perf_hooks'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { gunzipSync } from 'node:zlib'
import {
  augment,
  genderAugmenter,
  languageAugmenter,
  linksAugmenter,
  normalizeLine,
  sentimentAugmenter,
  textEntitiesAugmenter,
  type Augmenter,
  type Interaction,
} from '../schemas/index.js'

const TARGET_RECORDS_PER_SECOND = 20_000

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    data: { type: 'string', default: join(process.cwd(), '..', 'shared', 'data') },
    'stage-sample': { type: 'string', default: '49536' },
  },
})
const totalRecords = Number(values.records)
const sampleFile = join(values.data, 'twitter-v1-sample.jsonl.gz')
const lines = gunzipSync(readFileSync(sampleFile))
  .toString('utf8')
  .split('\n')
  .filter((l) => l !== '')

let gcMs = 0
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration
}).observe({ entryTypes: ['gc'] })

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

function normalizeOnly(line: string): Interaction[] {
  const o = normalizeLine(line, 'twitter-v1')
  return o.kind === 'interactions' ? [...o.interactions] : []
}

// Warm-up: JIT, module data, and the language model's first lookups.
for (let i = 0; i < 5000; i++)
  for (const it of normalizeOnly(lines[i % lines.length] ?? '')) augment(it)

// 1. The full path, as `sluice normalize` runs it (minus file I/O): parse, normalize, augment.
gcMs = 0
let interactions = 0
const t0 = performance.now()
for (let r = 0; r < totalRecords; r++) {
  const o = normalizeLine(lines[r % lines.length] ?? '', 'twitter-v1')
  if (o.kind !== 'interactions') continue
  for (const it of o.interactions) {
    augment(it)
    interactions++
  }
}
const fullMs = performance.now() - t0
const fullGcMs = gcMs
const fullRate = (totalRecords / fullMs) * 1000

// 2. Stage costs over one pass of the sample: parse+normalize, then each augmenter in order.
const stageCount = Math.min(Number(values['stage-sample']), lines.length)
const stageLines = lines.slice(0, stageCount)
const tp = performance.now()
for (const l of stageLines) JSON.parse(l)
const parseUs = ((performance.now() - tp) * 1000) / stageCount
const tn = performance.now()
const normalized: Interaction[] = []
for (const l of stageLines) normalized.push(...normalizeOnly(l))
const normalizeUs = ((performance.now() - tn) * 1000) / stageCount - parseUs
const stages: [string, Augmenter][] = [
  ['text entities', textEntitiesAugmenter],
  ['links', linksAugmenter],
  ['language', languageAugmenter],
  ['sentiment', sentimentAugmenter],
  ['gender', genderAugmenter],
]
const stageUs = stages.map(([name, step]) => {
  const ts = performance.now()
  for (const it of normalized) step(it)
  return [name, ((performance.now() - ts) * 1000) / normalized.length] as const
})

const peakRssMb = process.resourceUsage().maxRSS / 1024
const out = [
  `bench/normalize — ${sampleFile}`,
  `  sample: ${fmt(lines.length)} real tweets, replayed to ${fmt(totalRecords)} records (${fmt(interactions)} interactions)`,
  ``,
  `full path (parse + normalize + augment), one core:`,
  `  ${fmt(fullRate)} records/s   (${(fullMs / 1000).toFixed(1)} s; ${((fullMs * 1000) / totalRecords).toFixed(1)} µs/record)`,
  `  target ${fmt(TARGET_RECORDS_PER_SECOND)} records/s: ${fullRate >= TARGET_RECORDS_PER_SECOND ? 'MET' : 'NOT MET'}`,
  `  GC pauses: ${fmt(fullGcMs)} ms (${((fullGcMs / fullMs) * 100).toFixed(1)}% of the run)`,
  `  peak RSS: ${fmt(peakRssMb)} MB (includes the ${fmt(lines.length)} sample lines held in memory)`,
  ``,
  `cost per record by stage (one pass over ${fmt(stageCount)} records):`,
  `  JSON.parse            ${parseUs.toFixed(1).padStart(6)} µs`,
  `  normalize             ${normalizeUs.toFixed(1).padStart(6)} µs`,
  ...stageUs.map(
    ([name, us]) => `  ${`augment: ${name}`.padEnd(21)} ${us.toFixed(1).padStart(6)} µs`,
  ),
]
const costliest = [...stageUs].sort((a, b) => b[1] - a[1])[0]
if (costliest !== undefined)
  out.push(``, `costliest augmenter: ${costliest[0]} (${costliest[1].toFixed(1)} µs/record)`)
process.stdout.write(`${out.join('\n')}\n`)
