/*
 * Child process of bench/csdl: reads one CSDL definition from a file, compiles it, and reports
 * compile time and this process's memory as JSON on stdout. A process of its own, so its peak
 * RSS is the cost of the definition and nothing else of the benchmark.
 *
 *   node dist/bench/csdl-big-list.js FILE PROBE
 */
import { readFileSync } from 'node:fs'
import { compile, FilterSet } from '../query-dsl/index.js'

const [file, probe] = process.argv.slice(2)
if (file === undefined || probe === undefined) throw new Error('usage: csdl-big-list FILE PROBE')
const source = readFileSync(file, 'utf8')
const start = performance.now()
const result = compile(source, {
  limits: { maxBytes: Number.POSITIVE_INFINITY, maxDepth: 200, maxConditions: 1000 },
})
const compileMs = performance.now() - start
if (!result.ok) throw new Error(result.diagnostics[0]?.message ?? 'does not compile')
const set = new FilterSet()
set.add(result.definition)
const hit = set.match({ twitter: { user: { screen_name: probe.toUpperCase() } } }).length === 1
const miss = set.match({ twitter: { user: { screen_name: `${probe}_not_listed` } } }).length === 0
// Lookups through the list, one name at a time.
const lookups = 1_000_000
const t = performance.now()
let found = 0
for (let k = 0; k < lookups; k++)
  found += set.match({ twitter: { user: { screen_name: k % 2 === 0 ? probe : `x${k}` } } }).length
const lookupsPerSecond = (lookups / (performance.now() - t)) * 1000
const memory = process.memoryUsage()
process.stdout.write(
  JSON.stringify({
    compileMs,
    heapUsed: memory.heapUsed,
    rss: memory.rss,
    maxRss: process.resourceUsage().maxRSS * 1024,
    correct: hit && miss && found === lookups / 2,
    lookupsPerSecond,
  }),
)
