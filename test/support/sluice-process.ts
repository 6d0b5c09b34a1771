import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { REPO_ROOT } from './shared-data.js'

/**
 * The built `sluice` binary the tests run as a separate process (SLUICE_TEST_BIN runs them
 * against another build, e.g. an older revision's, to see a test fail there).
 */
export const SLUICE = process.env['SLUICE_TEST_BIN'] ?? join(REPO_ROOT, 'dist/infra/bin/sluice.js')

/** Waits for `child`'s stderr to match `pattern`; returns the match. */
export function stderrMatch(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = ''
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8')
      const m = pattern.exec(text)
      if (m !== null) {
        child.stderr?.off('data', onData)
        resolve(m)
      }
    }
    child.stderr?.on('data', onData)
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${text}`)))
  })
}

/** The value of an unlabelled Prometheus sample. */
export function metricSample(metrics: string, name: string): number {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)
  return m === null ? NaN : Number(m[1])
}

/** A long-running `sluice` process (its stderr piped); `nodeArgs` go to node itself. */
export function spawnSluice(
  args: readonly string[],
  nodeArgs: readonly string[] = [],
): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, SLUICE, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
}

/** A long-running `sluice` process, resolved once its stderr matches `ready`. */
export async function startSluice(
  args: readonly string[],
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawnSluice(args)
  try {
    return { child, match: await stderrMatch(child, ready) }
  } catch (e) {
    child.kill('SIGKILL')
    throw e
  }
}

/** Runs `sluice args` to its end without blocking the event loop; fails unless it exits 0. */
export function runSluice(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SLUICE, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')))
    child.once('error', reject)
    child.once('exit', (code) =>
      code === 0
        ? resolve({ stdout, stderr })
        : reject(new Error(`sluice ${args.join(' ')} exited ${code}: ${stderr}`)),
    )
  })
}

/** SIGTERM, then waits for the exit. */
export async function stopSluice(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  await exited
}
