import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'

/*
 * The dependency rules of ../shared/DESIGN.md ("Folders and who may import whom"), as data, and
 * a checker over the import statements of the tree.
 */

export const FOLDERS = [
  'schemas',
  'query-dsl',
  'collectors',
  'shredder',
  'batch',
  'speed',
  'serving',
  'infra',
  'test',
  'bench',
] as const
export type Folder = (typeof FOLDERS)[number]

/** Which of our folders each folder may import (itself always allowed). */
export const MAY_IMPORT: Readonly<Record<Folder, readonly Folder[]>> = {
  schemas: [],
  'query-dsl': ['schemas'],
  collectors: ['schemas'],
  shredder: ['schemas'],
  batch: ['schemas', 'query-dsl'],
  speed: ['schemas', 'query-dsl'],
  serving: ['schemas', 'query-dsl', 'collectors', 'shredder', 'batch', 'speed'],
  infra: ['schemas', 'query-dsl', 'collectors', 'shredder', 'batch', 'speed', 'serving'],
  test: [
    'schemas',
    'query-dsl',
    'collectors',
    'shredder',
    'batch',
    'speed',
    'serving',
    'infra',
    'bench',
  ],
  bench: ['schemas', 'query-dsl', 'collectors', 'shredder', 'batch', 'speed', 'serving', 'infra'],
}

/** The public entry points other folders may import (STYLE.md: one index.ts per folder). */
export const PUBLIC_ENTRIES: ReadonlySet<string> = new Set([
  ...FOLDERS.filter((f) => f !== 'test' && f !== 'bench').map((f) => `${f}/index.ts`),
  'schemas/ports/index.ts',
  'batch/read/index.ts',
  'speed/read/index.ts',
])

/** SDKs of distributed backends: only infra/adapters/ may import them (STYLE.md §5). */
export const SDK_PACKAGES = [
  '@aws-sdk/client-s3',
  'cassandra-driver',
  'level',
  'classic-level',
  'bullmq',
  'ioredis',
] as const

export interface ImportViolation {
  readonly file: string
  readonly specifier: string
  readonly rule: string
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g

/** The module specifiers a TypeScript source imports or re-exports. */
export function importsOf(source: string): string[] {
  const out: string[] = []
  for (const m of source.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3]
    if (spec !== undefined) out.push(spec)
  }
  return out
}

function folderOf(path: string): Folder | undefined {
  const top = path.split('/')[0]
  return FOLDERS.find((f) => f === top)
}

/**
 * Checks one file (path relative to the repository root, with `/`) against the rules.
 * Test files (`*.test.ts`, and everything in test/) may also import test/.
 */
export function checkFile(file: string, source: string): ImportViolation[] {
  const out: ImportViolation[] = []
  const from = folderOf(file)
  if (from === undefined) return out
  const isTest = file.endsWith('.test.ts') || from === 'test'
  for (const spec of importsOf(source)) {
    if (!spec.startsWith('.')) {
      const sdk = SDK_PACKAGES.find((p) => spec === p || spec.startsWith(`${p}/`))
      if (sdk !== undefined && !file.startsWith('infra/adapters/'))
        out.push({ file, specifier: spec, rule: `SDK ${sdk} outside infra/adapters/` })
      continue
    }
    const target = normalize(join(dirname(file), spec))
      .replace(/\\/g, '/')
      .replace(/\.js$/, '.ts')
    const to = folderOf(target)
    if (to === undefined) {
      out.push({ file, specifier: spec, rule: 'imports outside the project folders' })
      continue
    }
    if (to === from) continue
    if (to === 'test') {
      if (!isTest) out.push({ file, specifier: spec, rule: 'source code imports test/' })
      continue
    }
    if (!MAY_IMPORT[from].includes(to))
      out.push({ file, specifier: spec, rule: `${from}/ may not import ${to}/` })
    // infra/ has entry points, not an API, and bench/ is tooling: tests reach their modules directly.
    else if (to !== 'infra' && to !== 'bench' && !PUBLIC_ENTRIES.has(target))
      out.push({
        file,
        specifier: spec,
        rule: `cross-folder import must go through ${to}/index.ts`,
      })
  }
  return out
}

/** Every .ts file under the project folders, relative to `root`. */
export function projectFiles(root: string): string[] {
  const out: string[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'dist') continue
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.ts')) out.push(relative(root, path).replace(/\\/g, '/'))
    }
  }
  for (const f of FOLDERS) {
    try {
      walk(join(root, f))
    } catch {
      // A folder with no code yet has nothing to check.
    }
  }
  return out
}

/** Checks the whole tree. */
export function checkTree(root: string): ImportViolation[] {
  return projectFiles(root).flatMap((f) => checkFile(f, readFileSync(join(root, f), 'utf8')))
}

/** The project file a relative specifier of `file` points at (`.js` specifiers name `.ts` files). */
function resolveRelative(file: string, spec: string): string {
  return normalize(join(dirname(file), spec))
    .replace(/\\/g, '/')
    .replace(/\.js$/, '.ts')
}

/** The import graph of the given files: file → project files it imports. */
export function importGraph(files: ReadonlyMap<string, string>): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  for (const [file, source] of files) {
    const targets = importsOf(source)
      .filter((s) => s.startsWith('.'))
      .map((s) => resolveRelative(file, s))
      .filter((t) => files.has(t))
    graph.set(file, targets)
  }
  return graph
}

/**
 * Import cycles in a graph (Tarjan's strongly connected components); each cycle is reported as
 * the sorted files of one component, self-imports included.
 */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const cycles: string[][] = []
  const visit = (v: string): void => {
    index.set(v, counter)
    low.set(v, counter)
    counter++
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0))
    }
    if (low.get(v) !== index.get(v)) return
    const component: string[] = []
    for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
      onStack.delete(w)
      component.push(w)
      if (w === v) break
    }
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort())
  }
  for (const v of graph.keys()) if (!index.has(v)) visit(v)
  return cycles
}

/** Import cycles in the whole tree. */
export function cyclesInTree(root: string): string[][] {
  const files = new Map(projectFiles(root).map((f) => [f, readFileSync(join(root, f), 'utf8')]))
  return findCycles(importGraph(files))
}
