import { execFileSync } from 'node:child_process'
import { freePort } from './free-port.js'
import { launch, type LaunchedProcess } from './launched-process.js'
import { ServiceMissingError } from './service-missing-error.js'

function redisServerPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim()
  } catch {
    throw new ServiceMissingError('redis-server', 'apt-get install -y redis-server')
  }
}

/**
 * Starts a Redis on 127.0.0.1 without persistence (tests and the dev stack): `redis://…` of it
 * is `redis://127.0.0.1:<port>`. Throws {@link ServiceMissingError} when Redis is not installed.
 */
export async function startRedis(options: { port?: number } = {}): Promise<{
  readonly process: LaunchedProcess
  readonly url: string
}> {
  const bin = redisServerPath()
  const port = options.port ?? (await freePort())
  const server = launch('redis-server', port, bin, [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'no',
  ])
  await server.ready()
  return { process: server, url: `redis://127.0.0.1:${port}` }
}
