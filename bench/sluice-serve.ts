import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'

const SLUICE = join(process.cwd(), 'dist/infra/bin/sluice.js')

/** A `sluice serve` process with `args`, resolved once it listens. */
export async function startSluiceServe(args: readonly string[]): Promise<ChildProcess> {
  const server = spawn(process.execPath, [SLUICE, 'serve', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  await new Promise<void>((resolve, reject) => {
    let text = ''
    server.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8')
      if (text.includes('api_listening')) resolve()
    })
    server.once('exit', (code) => reject(new Error(`sluice serve exited ${code}: ${text}`)))
  })
  return server
}
