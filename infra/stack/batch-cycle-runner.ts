import { fork, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { runBatchCycle, type BatchCycleConfig, type BatchCycleReport } from './batch-cycle.js'

/** A cycle that failed in the child process, or the child itself. */
export class BatchCycleError extends Error {
  override readonly name = 'BatchCycleError'
}

export interface BatchCycleRunnerOptions {
  /**
   * Run cycles in a child process (default), so the API's event loop never waits on them; or
   * on the calling thread (for tests run from sources, where no built child module exists).
   */
  readonly child?: boolean
  /** A new child after this many cycles (default 20): what it grew (WebAssembly memory) is freed. */
  readonly recycleAfter?: number
  /** Longest cycle; past it the child is killed and the cycle failed (default 15 min). */
  readonly timeoutMs?: number
  /** Heap the child may use (default 2 GiB): past it the child dies, not the stack. */
  readonly maxHeapMb?: number
  /** Told the child's pid when one starts (for `/health` and tests). */
  readonly onChild?: (pid: number) => void
}

type Reply =
  | { readonly id: number; readonly ok: true; readonly report: BatchCycleReport }
  | { readonly id: number; readonly ok: false; readonly error: string }

const CHILD_FILE = new URL('./batch-cycle-child.js', import.meta.url)

/**
 * Runs batch cycles, one at a time, in a child process kept between cycles and replaced after
 * `recycleAfter` of them, when it dies (killed, out of memory), or when a cycle runs past
 * `timeoutMs`.
 */
export class BatchCycleRunner {
  private worker: ChildProcess | undefined
  private cycles = 0
  private ids = 0
  private pending: Promise<BatchCycleReport> | undefined

  constructor(
    private readonly config: BatchCycleConfig,
    private readonly options: BatchCycleRunnerOptions = {},
  ) {
    if (options.child !== false && !existsSync(fileURLToPath(CHILD_FILE)))
      throw new BatchCycleError(
        `the batch cycle's child module is missing at ${fileURLToPath(CHILD_FILE)}: run npm run build`,
      )
  }

  /** One cycle; a second call while one runs gets that one's outcome. */
  run(): Promise<BatchCycleReport> {
    this.pending ??= this.runOne().finally(() => {
      this.pending = undefined
    })
    return this.pending
  }

  private async runOne(): Promise<BatchCycleReport> {
    if (this.options.child === false) return runBatchCycle(this.config)
    if (this.worker !== undefined && this.cycles >= (this.options.recycleAfter ?? 20))
      await this.stopWorker()
    const worker = (this.worker ??= this.startWorker())
    this.cycles++
    const id = ++this.ids
    try {
      return await new Promise<BatchCycleReport>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new BatchCycleError(`the cycle ran past ${this.options.timeoutMs ?? 900_000} ms`))
        }, this.options.timeoutMs ?? 900_000)
        const done = (): void => {
          clearTimeout(timer)
          worker.off('message', onMessage)
          worker.off('error', onError)
          worker.off('exit', onExit)
        }
        const onMessage = (reply: Reply): void => {
          if (reply.id !== id) return
          done()
          if (reply.ok) resolve(reply.report)
          else reject(new BatchCycleError(reply.error))
        }
        const onError = (e: Error): void => {
          done()
          reject(new BatchCycleError(`the batch process failed: ${e.message}`, { cause: e }))
        }
        const onExit = (code: number | null, signal: string | null): void => {
          done()
          reject(
            new BatchCycleError(`the batch process ended (${signal ?? code}) during the cycle`),
          )
        }
        worker.on('message', onMessage)
        worker.on('error', onError)
        worker.on('exit', onExit)
        worker.send({ id, config: this.config })
      })
    } catch (e) {
      // A child that failed, died or hung is not used again.
      await this.stopWorker()
      throw e
    }
  }

  private startWorker(): ChildProcess {
    const worker = fork(fileURLToPath(CHILD_FILE), [], {
      execArgv: [`--max-old-space-size=${this.options.maxHeapMb ?? 2048}`],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
    })
    // Between cycles too, a child's failure is its own: noted by the next cycle, never thrown.
    worker.on('error', () => undefined)
    worker.on('exit', () => {
      if (this.worker === worker) {
        this.worker = undefined
        this.cycles = 0
      }
    })
    if (worker.pid !== undefined) this.options.onChild?.(worker.pid)
    return worker
  }

  private async stopWorker(): Promise<void> {
    const worker = this.worker
    this.worker = undefined
    this.cycles = 0
    if (worker === undefined || worker.exitCode !== null || worker.signalCode !== null) return
    const exited = new Promise((r) => worker.once('exit', r))
    worker.kill('SIGKILL')
    await exited
  }

  /** The child's pid while one runs. */
  get childPid(): number | undefined {
    return this.worker?.pid
  }

  /** Stops the child (a cycle under way fails; its next run starts from the store as is). */
  async close(): Promise<void> {
    await this.stopWorker()
    await this.pending?.catch(() => undefined)
  }
}
