import { spawn, type ChildProcess } from 'node:child_process'
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { ServiceStartError } from './service-missing-error.js'

// A server that has not accepted a connection by then is stuck, not slow.
const READY_TIMEOUT_MS = 30_000
const POLL_MS = 50
const LOG_TAIL_CHARS = 4000

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/**
 * A server process we started: stopped by its pid (never by name), and killable with SIGKILL
 * so tests can stage crashes and outages.
 */
export class LaunchedProcess {
  private log = ''
  private exited: Promise<void>

  constructor(
    readonly service: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer): void => {
      this.log = (this.log + chunk.toString()).slice(-LOG_TAIL_CHARS)
    }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()))
  }

  get pid(): number {
    return this.child.pid ?? -1
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null
  }

  /** Resolves once the port accepts connections; throws with the server's output if it dies. */
  async ready(): Promise<this> {
    const deadline = Date.now() + READY_TIMEOUT_MS
    while (Date.now() < deadline) {
      if (!this.running) throw new ServiceStartError(this.service, this.log)
      if (await portAccepts(this.port)) return this
      await sleep(POLL_MS)
    }
    await this.stop()
    throw new ServiceStartError(
      this.service,
      `not listening on ${this.port} after 30 s\n${this.log}`,
    )
  }

  /** SIGTERM, then SIGKILL if it lingers; resolves when the process is gone. */
  async stop(): Promise<void> {
    if (!this.running) return
    this.child.kill('SIGTERM')
    const gone = await Promise.race([this.exited.then(() => true), sleep(5000).then(() => false)])
    if (!gone) await this.kill()
  }

  /** SIGKILL: the crash a test wants to survive. */
  async kill(): Promise<void> {
    if (!this.running) return
    this.child.kill('SIGKILL')
    await this.exited
  }

  output(): string {
    return this.log
  }
}

export function launch(
  service: string,
  port: number,
  command: string,
  args: readonly string[],
  options: { readonly cwd?: string } = {},
): LaunchedProcess {
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  })
  // spawn reports a missing binary asynchronously; the caller checks availability first.
  child.on('error', () => undefined)
  return new LaunchedProcess(service, port, child)
}
