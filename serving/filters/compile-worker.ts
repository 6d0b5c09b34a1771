import { compileInScope, type ReferenceScope } from '../../query-dsl/index.js'
import { summarizeCompile, type FilterCheck } from './filter-compiler.js'

/** One compile in a worker thread of the threaded compiler (piscina calls the default export). */
export default function compileTask(task: {
  readonly csdl: string
  readonly scope: ReferenceScope
}): FilterCheck {
  return summarizeCompile(compileInScope(task.csdl, task.scope))
}
