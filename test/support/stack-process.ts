import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT, sharedDataDir } from './shared-data.js'

const SLUICE = join(REPO_ROOT, 'dist/infra/bin/sluice.js')

/** Resolves with the first match of `pattern` in what `child` prints. */
function printed(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8')
      const m = pattern.exec(text)
      if (m !== null) resolve(m)
    })
    child.once('exit', (code) =>
      reject(new Error(`the stack exited (${code}) before printing ${pattern}`)),
    )
  })
}

export interface StackProcess {
  readonly child: ChildProcess
  readonly consoleUrl: string
  readonly graphql: string
  readonly key: string
  stop(): Promise<void>
}

/**
 * What `npm start` runs after building (`sluice stack` on the real Twitter sample), on a free
 * port and with the given pace, once it has printed where it serves.
 */
export async function startStack(
  dataDir: string,
  pace: {
    readonly rate: number
    readonly batchEverySeconds: number
    /** Records after which the firehose stops. */
    readonly count?: number
    readonly segmentAgeSeconds?: number
  },
): Promise<StackProcess> {
  const child = spawn(
    process.execPath,
    [
      SLUICE,
      'stack',
      '--data-dir',
      dataDir,
      '--http',
      '127.0.0.1:0',
      '--rate',
      String(pace.rate),
      '--batch-every',
      String(pace.batchEverySeconds),
      '--sample',
      join(sharedDataDir(), 'twitter-v1-sample.jsonl.gz'),
      ...(pace.count === undefined ? [] : ['--count', String(pace.count)]),
      ...(pace.segmentAgeSeconds === undefined
        ? []
        : ['--segment-age', String(pace.segmentAgeSeconds)]),
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  )
  const [, consoleUrl, graphql] = await printed(
    child,
    /console +(http:\S+)[\s\S]*GraphQL +(http:\S+)[\s\S]*API key /,
  )
  // Printed on the first start only; always kept in the data directory.
  const key = readFileSync(join(dataDir, 'api-key'), 'utf8').trim()
  return {
    child,
    consoleUrl: consoleUrl as string,
    graphql: graphql as string,
    key,
    async stop() {
      if (child.exitCode !== null) return
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
    },
  }
}
