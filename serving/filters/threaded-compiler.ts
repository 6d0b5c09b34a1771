import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
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
  /** Told of a worker thread's failure. */
  readonly onError?: (error: unknown) => void
}

/** The worker module is not where the compiler looks: a build is missing. */
export class CompileWorkerMissingError extends Error {
  override readonly name = 'CompileWorkerMissingError'
  constructor(readonly path: string) {
    super(
      `the filter compile worker is missing at ${path}: run npm run build, or compile on the event loop (--compile-threads 0)`,
    )
  }
}

/**
 * Compiles in worker threads (piscina). The pool starts its threads on first use and keeps one
 * alive; a compile past `timeoutMs` is aborted, which ends its thread (piscina starts another).
 */
export function threadedCompiler(options: ThreadedCompilerOptions = {}): FilterCompiler {
  const timeoutMs = options.timeoutMs ?? 20_000
  const file = options.workerFile ?? new URL('./compile-worker.js', import.meta.url)
  const path = file instanceof URL ? fileURLToPath(file) : file
  // Run from sources (a test runner) there is no built worker: say so now, not at first use.
  if (!existsSync(path)) throw new CompileWorkerMissingError(path)
  const pool = new Piscina({
    filename: pathToFileURL(path).href,
    maxThreads: options.threads ?? 1,
    minThreads: 1,
    idleTimeout: 60_000,
  })
  // A worker that cannot start fails the compiles waiting on it; it must not end the process.
  pool.on('error', (e: unknown) => options.onError?.(e))
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
