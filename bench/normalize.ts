/*
 * bench/normalize: records/s on one core for the full normalize+augment path over the real
 * Twitter v1.1 sample, replayed (cycled) to --records records; the cost of each stage; GC share;
 * peak RSS; the libraries Sluice replaced on the hot path, measured against their replacements on
 * the same texts; and `sluice normalize` end to end. Issue 2's target: >= 20,000 records/s/core.
 *
 *   npm run build && npm run bench:normalize -- [--records 1000000] [--data ../shared/data]
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PerformanceObserver } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { gunzipSync } from 'node:zlib'
import Sentiment from 'sentiment'
import {
  afinnScore,
  augment,
  createEldDetector,
  encodeInteraction,
  loadEldModel,
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
// Records per timed chunk: long enough to amortise timer reads, short enough for a median.
const CHUNK = 50_000

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    data: { type: 'string', default: join(process.cwd(), '..', 'shared', 'data') },
  },
})
const totalRecords = Number(values.records)
const sampleFile = join(values.data, 'twitter-v1-sample.jsonl.gz')
const lines = gunzipSync(readFileSync(sampleFile))
  .toString('utf8')
  .split('\n')
  .filter((l) => l !== '')
const line = (r: number): string => lines[r % lines.length] ?? ''
const rssMb = (): number => process.memoryUsage().rss / 1024 / 1024
const rssWithSample = rssMb()

let gcMs = 0
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration
}).observe({ entryTypes: ['gc'] })
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
}

// Warm-up: JIT, the language model's first load, the first lookups.
languageAugmenter({ interaction: { content: 'load the model' } })
const rssWithModel = rssMb()
for (let r = 0; r < 5000; r++) {
  const o = normalizeLine(line(r), 'twitter-v1')
  if (o.kind === 'interactions') for (const it of o.interactions) augment(it)
}
await tick()

// 1. The full path as `sluice normalize` runs it, minus file I/O and output encoding.
gcMs = 0
const chunkRates: number[] = []
let interactions = 0
let busyMs = 0
for (let start = 0; start < totalRecords; start += CHUNK) {
  const end = Math.min(totalRecords, start + CHUNK)
  const t0 = performance.now()
  for (let r = start; r < end; r++) {
    const o = normalizeLine(line(r), 'twitter-v1')
    if (o.kind !== 'interactions') continue
    for (const it of o.interactions) {
      augment(it)
      interactions++
    }
  }
  const ms = performance.now() - t0
  busyMs += ms
  chunkRates.push(((end - start) / ms) * 1000)
  await tick() // lets the GC observer report
}
const fullGcMs = gcMs
const overallRate = (totalRecords / busyMs) * 1000
const sortedRates = [...chunkRates].sort((a, b) => a - b)
const peakRssMb = process.resourceUsage().maxRSS / 1024

// 2. Where the time goes: the same path with a timer around each stage.
const STAGE_RECORDS = Math.min(totalRecords, 200_000)
const stages: [string, Augmenter][] = [
  ['text entities', textEntitiesAugmenter],
  ['links', linksAugmenter],
  ['language', languageAugmenter],
  ['sentiment', sentimentAugmenter],
  ['gender', genderAugmenter],
]
const stageMs = new Map<string, number>([
  ['JSON.parse', 0],
  ['normalize', 0],
  ...stages.map(([name]) => [`augment: ${name}`, 0] as [string, number]),
  ['encode JSON', 0],
])
const add = (name: string, ms: number): void =>
  void stageMs.set(name, (stageMs.get(name) ?? 0) + ms)
for (let r = 0; r < STAGE_RECORDS; r++) {
  const text = line(r)
  let t = performance.now()
  JSON.parse(text)
  let now = performance.now()
  add('JSON.parse', now - t)
  t = now
  const o = normalizeLine(text, 'twitter-v1')
  now = performance.now()
  // normalizeLine parses again; its parse share is taken out using the JSON.parse stage.
  add('normalize', now - t)
  if (o.kind !== 'interactions') continue
  for (const it of o.interactions as Interaction[]) {
    for (const [name, step] of stages) {
      t = performance.now()
      step(it)
      add(`augment: ${name}`, performance.now() - t)
    }
    t = performance.now()
    encodeInteraction(it)
    add('encode JSON', performance.now() - t)
  }
}
stageMs.set('normalize', (stageMs.get('normalize') ?? 0) - (stageMs.get('JSON.parse') ?? 0))

// 3. The two libraries replaced on the hot path, against their replacements, on the same texts.
const texts = lines.slice(0, 20_000).map((l) => {
  const o = normalizeLine(l, 'twitter-v1')
  return o.kind === 'interactions' ? (o.interactions[0]?.interaction?.content ?? '') : ''
})
function perText(fn: (t: string) => unknown): number {
  for (const t of texts.slice(0, 2000)) fn(t)
  const t0 = performance.now()
  for (const t of texts) fn(t)
  return ((performance.now() - t0) * 1000) / texts.length
}
// Imported here, after the peak-RSS reading: the package pins ~390 MB of its own.
const { eld } = await import('eld/large')
const detector = createEldDetector(loadEldModel('large'))
const eldUs = perText((t) => {
  const r = eld.detect(t)
  return [r.getScores(), r.isReliable()]
})
const oursLangUs = perText((t) => detector.detect(t))
const analyzer = new Sentiment()
const sentimentUs = perText((t) => analyzer.analyze(t).score)
const afinnUs = perText((t) => afinnScore(t))

// 4. `sluice normalize` end to end on the sample file: gunzip, parse, normalize, augment, encode, write.
const bin = fileURLToPath(new URL('../infra/bin/sluice.js', import.meta.url))
const cli = spawnSync(process.execPath, [bin, 'normalize', sampleFile], {
  encoding: 'utf8',
  maxBuffer: 1 << 30,
})
const cliRate = /\(([0-9]+) records\/s\)/.exec(cli.stderr)?.[1]

const out = [
  `bench/normalize — ${sampleFile}`,
  `  ${fmt(lines.length)} real tweets replayed to ${fmt(totalRecords)} records (${fmt(interactions)} interactions), one core`,
  ``,
  `full path (parse + normalize + augment):`,
  `  ${fmt(overallRate)} records/s overall (${((busyMs * 1000) / totalRecords).toFixed(1)} µs/record)`,
  `  per ${fmt(CHUNK)}-record chunk: median ${fmt(quantile(sortedRates, 0.5))}, p10 ${fmt(quantile(sortedRates, 0.1))}, p90 ${fmt(quantile(sortedRates, 0.9))} records/s`,
  `  target ${fmt(TARGET_RECORDS_PER_SECOND)} records/s: ${overallRate >= TARGET_RECORDS_PER_SECOND ? 'MET' : 'NOT MET'}`,
  `  GC pauses: ${fmt(fullGcMs)} ms (${((fullGcMs / busyMs) * 100).toFixed(1)}% of the run)`,
  `  RSS: ${fmt(rssWithSample)} MB with the sample loaded, ${fmt(rssWithModel)} MB once the language model is loaded, peak ${fmt(peakRssMb)} MB`,
  ``,
  `cost per record by stage (${fmt(STAGE_RECORDS)} records, timed one by one):`,
  ...[...stageMs].map(
    ([name, ms]) =>
      `  ${name.padEnd(24)} ${((ms * 1000) / STAGE_RECORDS).toFixed(1).padStart(6)} µs`,
  ),
]
const augmenters = [...stageMs]
  .filter(([n]) => n.startsWith('augment: '))
  .sort((a, b) => b[1] - a[1])
const costliest = augmenters[0]
if (costliest !== undefined)
  out.push(
    `  costliest augmenter: ${costliest[0].slice(9)} (${((costliest[1] * 1000) / STAGE_RECORDS).toFixed(1)} µs/record)`,
  )
out.push(
  ``,
  `libraries replaced on the hot path (same ${fmt(texts.length)} tweet texts, µs per text):`,
  `  language  eld.detect + getScores + isReliable  ${eldUs.toFixed(1).padStart(6)}   Sluice eld-detector  ${oursLangUs.toFixed(1).padStart(5)}   (${(eldUs / oursLangUs).toFixed(1)}x)`,
  `  sentiment sentiment.analyze                    ${sentimentUs.toFixed(1).padStart(6)}   Sluice afinn-scorer  ${afinnUs.toFixed(1).padStart(5)}   (${(sentimentUs / afinnUs).toFixed(1)}x)`,
  ``,
  `sluice normalize end to end (gunzip + all of the above + JSON encode + write to a pipe):`,
  `  ${cliRate === undefined ? `failed: ${cli.stderr.slice(-300)}` : `${fmt(Number(cliRate))} records/s on the ${fmt(lines.length)}-tweet file (includes ~1 s model load)`}`,
)
process.stdout.write(`${out.join('\n')}\n`)
