import {
  compileInScope,
  type CompileResult,
  type PositionedDiagnostic,
  type ReferenceScope,
} from '../../query-dsl/index.js'

/** What compiling a filter told: its hash and DPU cost, or where and why it does not compile. */
export type FilterCheck =
  | { readonly ok: true; readonly hash: string; readonly dpu: number }
  | { readonly ok: false; readonly diagnostics: readonly PositionedDiagnostic[] }

/** The plain-data summary of a compile (what crosses a worker thread's boundary). */
export function summarizeCompile(result: CompileResult): FilterCheck {
  return result.ok
    ? { ok: true, hash: result.definition.hash, dpu: result.definition.dpu.total }
    : { ok: false, diagnostics: result.diagnostics }
}

/**
 * Where filters are compiled for checking: in this process, or in worker threads so that a
 * filter that takes long to compile (hundreds of regular expressions) never holds the event
 * loop that answers everyone else.
 */
export interface FilterCompiler {
  check(csdl: string, scope: ReferenceScope): Promise<FilterCheck>
  close(): Promise<void>
}

/** Compiles on the calling thread: for tools and tests, where nobody else waits. */
export const IN_PROCESS_COMPILER: FilterCompiler = {
  check: (csdl, scope) => Promise.resolve(summarizeCompile(compileInScope(csdl, scope))),
  close: () => Promise.resolve(),
}
