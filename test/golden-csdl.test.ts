import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  compile,
  DEFAULT_LIMITS,
  DIAGNOSTIC_MESSAGES,
  FilterSet,
  matchDefinition,
  parse,
  printDefinition,
  StreamRegistry,
  type CompiledDefinition,
  type DefinitionNode,
  type ListSource,
  type ParseLimits,
} from '../query-dsl/index.js'
import { CSDL_OPERATORS, OPERATOR_SYNONYMS } from '../schemas/index.js'
import { REPO_ROOT } from './support/shared-data.js'

/* The golden cases of test/golden/query-dsl/ (format in its README.md), run as data. */

interface Expectation {
  readonly input: unknown
  readonly delivered: boolean
  readonly tags: readonly string[] | undefined
  readonly tree: unknown
}

interface GoldenCase {
  readonly file: string
  readonly name: string
  readonly source: string
  readonly streams: Readonly<Record<string, string>>
  readonly lists: Readonly<Record<string, readonly string[]>>
  readonly limits: ParseLimits
  readonly tree: string | undefined
  readonly errors: readonly string[]
  readonly streamErrors: readonly string[]
  readonly expectations: readonly Expectation[]
}

const DIR = join(REPO_ROOT, 'test', 'golden', 'query-dsl')

function parseExpectation(input: unknown, line: string): Expectation {
  const m = /^=> (true|false)(?: tags=(\[[^\]]*\]))?(?: tree=(.*))?$/.exec(line)
  if (m === null) throw new Error(`bad expectation line: ${line}`)
  return {
    input,
    delivered: m[1] === 'true',
    tags: m[2] === undefined ? undefined : (JSON.parse(m[2]) as string[]),
    tree: m[3] === undefined ? undefined : (JSON.parse(m[3]) as unknown),
  }
}

function parseFile(file: string): GoldenCase[] {
  const out: GoldenCase[] = []
  const blocks = readFileSync(join(DIR, file), 'utf8').split(/^# /m).slice(1)
  for (const block of blocks) {
    const lines = block.replace(/\n+$/, '').split('\n')
    const name = lines.shift() ?? ''
    const streams: Record<string, string> = {}
    const lists: Record<string, string[]> = {}
    let limits: ParseLimits = DEFAULT_LIMITS
    const source: string[] = []
    const errors: string[] = []
    const streamErrors: string[] = []
    const expectations: Expectation[] = []
    let tree: string[] | undefined
    let pendingInput: unknown
    let inSource = true
    for (const line of lines) {
      if (tree !== undefined && line !== '' && !/^(!!|<<|=>)/.test(line)) {
        tree.push(line)
        continue
      }
      if (line.startsWith('@stream ')) {
        const [, hash, ...rest] = line.split(' ')
        streams[hash ?? ''] = rest.join(' ')
      } else if (line.startsWith('@list ')) {
        const m = /^@list (\S+): (.*)$/.exec(line)
        if (m !== null) lists[m[1] ?? ''] = (m[2] ?? '').split(',').map((s) => s.trim())
      } else if (line.startsWith('@limits ')) {
        const kv = Object.fromEntries(
          line
            .slice(8)
            .split(' ')
            .map((p) => p.split('=')),
        )
        limits = {
          maxBytes: Number(kv['bytes'] ?? DEFAULT_LIMITS.maxBytes),
          maxDepth: Number(kv['depth'] ?? DEFAULT_LIMITS.maxDepth),
          maxConditions: Number(kv['conditions'] ?? DEFAULT_LIMITS.maxConditions),
        }
      } else if (line.startsWith('==> ')) {
        inSource = false
        tree = [line.slice(4)]
      } else if (line.startsWith('!! ')) {
        inSource = false
        errors.push(line.slice(3))
      } else if (line.startsWith('!@ ')) {
        inSource = false
        streamErrors.push(line.slice(3))
      } else if (line.startsWith('<< ')) {
        inSource = false
        pendingInput = JSON.parse(line.slice(3)) as unknown
      } else if (line.startsWith('=> ')) {
        expectations.push(parseExpectation(pendingInput, line))
      } else if (inSource) source.push(line)
    }
    out.push({
      file,
      name,
      source: source.join('\n'),
      streams,
      lists,
      limits,
      tree: tree?.join('\n'),
      errors,
      streamErrors,
      expectations,
    })
  }
  return out
}

const FILES = readdirSync(DIR).filter((f) => f.endsWith('.txt'))
const CASES = FILES.flatMap(parseFile)

function listSource(lists: Readonly<Record<string, readonly string[]>>): ListSource {
  return { version: 1, items: (id) => lists[id] }
}

function sortedTree(v: unknown): unknown {
  if (Array.isArray(v)) return [...(v as unknown[])].sort()
  if (typeof v === 'object' && v !== null)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sortedTree(x)]))
  return v
}

function compileCase(c: GoldenCase): {
  registry: StreamRegistry
  result: ReturnType<typeof compile>
} {
  const lists = listSource(c.lists)
  const registry = new StreamRegistry({ lists, limits: c.limits })
  const defined = registry.defineAll(c.streams)
  for (const e of c.streamErrors) {
    const [hash, code] = e.split(' ')
    const r = defined.get(hash ?? '')
    expect(r?.ok === false ? r.diagnostics.map((d) => d.code) : [], `@stream ${hash}`).toContain(
      code,
    )
  }
  return { registry, result: compile(c.source, { resolver: registry, lists, limits: c.limits }) }
}

describe.each(FILES)('golden CSDL cases: %s', (file) => {
  const cases = CASES.filter((c) => c.file === file)

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { result } = compileCase(c)
    if (c.errors.length > 0) {
      expect(result.ok, 'expected compile errors').toBe(false)
      if (!result.ok)
        expect(result.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(c.errors)
      return
    }
    if (!result.ok)
      throw new Error(
        result.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`).join('\n'),
      )
    const def = result.definition
    if (c.tree !== undefined) expect(printDefinition(parseDefinition(c.source), ' | ')).toBe(c.tree)
    const alone = new FilterSet()
    alone.add(def)
    for (const e of c.expectations) {
      const direct = matchDefinition(def, e.input)
      const shared = alone.match(e.input).find((m) => m.hash === def.hash)
      expect(direct !== undefined, `${JSON.stringify(e.input)} (alone)`).toBe(e.delivered)
      expect(shared !== undefined, `${JSON.stringify(e.input)} (shared plan)`).toBe(e.delivered)
      if (direct !== undefined && e.tags !== undefined)
        expect([...direct.tags].sort()).toEqual([...e.tags].sort())
      if (direct !== undefined && e.tree !== undefined)
        expect(sortedTree(direct.tagTree)).toEqual(sortedTree(e.tree))
      if (shared !== undefined && direct !== undefined) expect(shared).toEqual(direct)
    }
  })

  it('gives the same answers with every filter of the file in one shared plan', () => {
    const set = new FilterSet()
    const defs: { c: GoldenCase; def: CompiledDefinition }[] = []
    for (const c of cases) {
      if (c.errors.length > 0 || c.expectations.length === 0) continue
      const { result } = compileCase(c)
      if (!result.ok) continue
      // Cases sharing a source share a hash; re-register each under its own.
      const def = { ...result.definition, hash: `${result.definition.hash}:${defs.length}` }
      set.add(def)
      defs.push({ c, def })
    }
    for (const { c, def } of defs)
      for (const e of c.expectations)
        expect(
          set.match(e.input).some((m) => m.hash === def.hash),
          `${c.name}: ${JSON.stringify(e.input)}`,
        ).toBe(e.delivered)
  })
})

/** The syntax tree of a source that compiled (printDefinition prints trees, not compiled filters). */
function parseDefinition(source: string): DefinitionNode {
  const p = parse(source)
  if (p.definition === undefined || p.diagnostics.length > 0)
    throw new Error(`does not parse: ${source}`)
  return p.definition
}

describe('the golden cases cover the language', () => {
  const sources = CASES.map((c) => [c.source, ...Object.values(c.streams)].join('\n')).join('\n')

  it('use every operator and every synonym', () => {
    const spellings = [...CSDL_OPERATORS, ...Object.keys(OPERATOR_SYNONYMS)]
    const missing = spellings.filter(
      (op) =>
        !new RegExp(`(^|[\\s)])(cs )?${op.replace(/[=!<>]/g, '\\$&')}(?=[\\s\\[(]|$)`, 'im').test(
          sources,
        ),
    )
    expect(missing).toEqual([])
  })

  it('expect every compile error of the catalog (internal errors aside)', () => {
    const expected = new Set(
      CASES.flatMap((c) => [...c.errors, ...c.streamErrors].map((e) => e.split(' ')[1])),
    )
    const missing = Object.keys(DIAGNOSTIC_MESSAGES).filter(
      (code) => code !== 'internal' && !expected.has(code),
    )
    expect(missing).toEqual([])
  })
})
