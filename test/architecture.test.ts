import { describe, expect, it } from 'vitest'
import {
  checkFile,
  checkTree,
  cyclesInTree,
  findCycles,
  importGraph,
  importsOf,
  projectFiles,
} from './support/import-rules.js'
import { REPO_ROOT } from './support/shared-data.js'

describe('the dependency rules of DESIGN.md hold in the tree', () => {
  it('finds the project files', () => {
    expect(projectFiles(REPO_ROOT).length).toBeGreaterThan(40)
  })

  it('has no import that breaks a rule', () => {
    expect(checkTree(REPO_ROOT)).toEqual([])
  })

  it('has no import cycle', () => {
    expect(cyclesInTree(REPO_ROOT)).toEqual([])
  })
})

describe('the cycle finder', () => {
  it('finds cycles of any length and self-imports, and nothing in a DAG', () => {
    const files = new Map([
      ['schemas/a.ts', `import { b } from './b.js'`],
      ['schemas/b.ts', `import { c } from './c.js'`],
      ['schemas/c.ts', `import { a } from './a.js'`],
      ['schemas/d.ts', `import { d } from './d.js'\nimport { a } from './a.js'`],
      ['schemas/e.ts', `import { a } from './a.js'`],
    ])
    expect(findCycles(importGraph(files))).toEqual([
      ['schemas/a.ts', 'schemas/b.ts', 'schemas/c.ts'],
      ['schemas/d.ts'],
    ])
    files.delete('schemas/c.ts')
    files.delete('schemas/d.ts')
    expect(findCycles(importGraph(files))).toEqual([])
  })
})

describe('the import checker catches each kind of violation', () => {
  it('reads static, side-effect, re-export and dynamic imports', () => {
    expect(
      importsOf(
        `import a from './a.js'\nimport type { B } from "../b.js"\nimport './c.js'\nexport { d } from './d.js'\nconst e = await import('./e.js')`,
      ),
    ).toEqual(['./a.js', '../b.js', './c.js', './d.js', './e.js'])
  })

  it('rejects a forbidden direction', () => {
    expect(checkFile('schemas/x.ts', `import { y } from '../query-dsl/index.js'`)).toMatchObject([
      { rule: 'schemas/ may not import query-dsl/' },
    ])
    expect(checkFile('shredder/x.ts', `import { y } from '../batch/index.js'`)).toMatchObject([
      { rule: 'shredder/ may not import batch/' },
    ])
  })

  it('rejects reaching past a folder index', () => {
    expect(
      checkFile('batch/x.ts', `import { y } from '../schemas/normalize/normalize-record.js'`),
    ).toMatchObject([{ rule: 'cross-folder import must go through schemas/index.ts' }])
    expect(checkFile('batch/x.ts', `import { y } from '../schemas/index.js'`)).toEqual([])
    expect(checkFile('serving/x.ts', `import { y } from '../batch/read/index.js'`)).toEqual([])
  })

  it('rejects SDKs outside infra/adapters and source importing test/', () => {
    expect(checkFile('speed/x.ts', `import { Client } from 'cassandra-driver'`)).toMatchObject([
      { rule: 'SDK cassandra-driver outside infra/adapters/' },
    ])
    expect(
      checkFile(
        'infra/adapters/view-store/cassandra-adapter.ts',
        `import { Client } from 'cassandra-driver'`,
      ),
    ).toEqual([])
    expect(
      checkFile('schemas/x.ts', `import { y } from '../test/support/shared-data.js'`),
    ).toMatchObject([{ rule: 'source code imports test/' }])
    expect(
      checkFile('schemas/x.test.ts', `import { y } from '../test/support/shared-data.js'`),
    ).toEqual([])
  })

  it('rejects importing infra/ from a layer', () => {
    expect(checkFile('serving/x.ts', `import { y } from '../infra/index.js'`)).toMatchObject([
      { rule: 'serving/ may not import infra/' },
    ])
  })
})
