import { Piscina } from 'piscina'
import type { ReferenceScope } from '../../query-dsl/index.js'
import type { FilterCheck, FilterCompiler } from './filter-compiler.js'

/** A compile that ran past its time; its worker thread was stopped. */
export class FilterCompileTimeoutError extends Error {
  override readonly name = 'FilterCompileTimeoutError'
  constructor(readonly timeoutMs: number) {
    super(
      `the filter took longer than ${timeoutMs} ms to compile; split it into smaller streams and combine them with stream "<hash>"`,
    )
  }
}

export interface ThreadedCompilerOptions {
  /** Worker threads (default 1: the API's own thread keeps the other core). */
  readonly threads?: number
  /** Longest compile; past it the worker is stopped and the caller told (default 20 s). */
  readonly timeoutMs?: number
  /** The compiled worker module (default: compile-worker.js beside this file, as built). */
  readonly workerFile?: URL | string
}

/**
 * Compiles in worker threads (piscina). The pool starts its threads on first use and keeps one
 * alive; a compile past `timeoutMs` is aborted, which ends its thread (piscina starts another).
 */
export function threadedCompiler(options: ThreadedCompilerOptions = {}): FilterCompiler {
  const timeoutMs = options.timeoutMs ?? 20_000
  const file = options.workerFile ?? new URL('./compile-worker.js', import.meta.url)
  const pool = new Piscina({
    filename: file instanceof URL ? file.href : file,
    maxThreads: options.threads ?? 1,
    minThreads: 1,
    idleTimeout: 60_000,
  })
  return {
    async check(csdl: string, scope: ReferenceScope): Promise<FilterCheck> {
      const signal = AbortSignal.timeout(timeoutMs)
      try {
        return (await pool.run({ csdl, scope }, { signal })) as FilterCheck
      } catch (e) {
        if (signal.aborted) throw new FilterCompileTimeoutError(timeoutMs)
        throw e
      }
    },
    close: () => pool.destroy(),
  }
}
