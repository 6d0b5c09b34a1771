import { mkdir } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { freePort } from './free-port.js'
import { launch, type LaunchedProcess } from './launched-process.js'

export interface S3Server {
  readonly process: LaunchedProcess
  readonly endpoint: string
  readonly bucket: string
  /** The object-store URL of the bucket, under `prefix`. */
  url(prefix?: string): string
  /** Starts the server again on the same port and directory (after a stop or kill). */
  restart(): Promise<void>
}

/**
 * Starts `s3rver` (an S3-protocol server storing to `directory`) on 127.0.0.1 with `bucket`
 * created. It runs in its own Node process with the legacy OpenSSL provider, without which it
 * answers 500 to every paginated listing on Node 20 (../shared/SERVICES.md).
 */
export async function startS3Server(options: {
  directory: string
  bucket: string
  port?: number
}): Promise<S3Server> {
  const port = options.port ?? (await freePort())
  await mkdir(options.directory, { recursive: true })
  const bin = join(
    dirname(createRequire(import.meta.url).resolve('s3rver/package.json')),
    'bin',
    's3rver.js',
  )
  const args = [
    '--openssl-legacy-provider',
    bin,
    '--directory',
    options.directory,
    '--address',
    '127.0.0.1',
    '--port',
    String(port),
    '--silent',
    '--configure-bucket',
    options.bucket,
  ]
  const endpoint = `http://127.0.0.1:${port}`
  const start = (): Promise<LaunchedProcess> =>
    launch('s3rver', port, process.execPath, args).ready()
  let current = await start()
  return {
    get process() {
      return current
    },
    endpoint,
    bucket: options.bucket,
    url: (prefix = '') =>
      `s3://${options.bucket}/${prefix}?endpoint=${encodeURIComponent(endpoint)}`,
    restart: async () => {
      await current.stop()
      current = await start()
    },
  }
}
