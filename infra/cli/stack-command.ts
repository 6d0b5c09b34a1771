import type { Writable } from 'node:stream'
import type { QueueConfig, SpeedStoreConfig, StoreConfig } from '../config/adapter-urls.js'
import { stderrLog } from '../collect/collector-service.js'
import { startStack } from '../stack/stack.js'

export interface StackCommandOptions {
  readonly dataDir: string
  readonly store: StoreConfig
  readonly storeUrl: string
  readonly queue: QueueConfig
  readonly queueUrl: string
  readonly speedStore: SpeedStoreConfig
  readonly speedStoreUrl: string
  readonly http: { readonly host: string; readonly port: number }
  readonly sampleFile: string
  readonly rate: number
  /** Records after which the replayed firehose stops (default: never). */
  readonly count?: number
  readonly segmentAgeSeconds?: number
  readonly batchEverySeconds: number
  readonly stdout: Writable
  readonly stopped: Promise<void>
}

/** An hour-aligned ISO instant `hours` from the current hour. */
function hourFromNow(hours: number): string {
  return new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 + hours * 3_600_000).toISOString()
}

/** `sluice stack` (what `npm start` runs): the whole system in one process until stopped. */
export async function runStackCommand(options: StackCommandOptions): Promise<void> {
  const stack = await startStack({
    dataDir: options.dataDir,
    store: options.store,
    queue: options.queue,
    speedStore: options.speedStore,
    http: options.http,
    sampleFile: options.sampleFile,
    rate: options.rate,
    ...(options.count === undefined ? {} : { count: options.count }),
    batchEveryMs: options.batchEverySeconds * 1000,
    segmentAgeMs: (options.segmentAgeSeconds ?? 10) * 1000,
    log: stderrLog,
  })
  const url = `${stack.api.url}/graphql`
  const query = `{ streams { name hash timeseries(from: "${hourFromNow(-1)}", to: "${hourFromNow(1)}", granularity: HOUR) { coverage { watermark batchRows speedRows } points { at count source } } } }`
  options.stdout.write(
    [
      '',
      'Sluice is running.',
      `  console    ${stack.api.url}/console/   (sign in with the API key)`,
      `  GraphQL    ${url}   (open it in a browser for GraphiQL; send the key as x-api-key)`,
      stack.keyCreated
        ? `  API key    ${stack.key}   (admin; shown this once, kept in ${stack.keyFile})`
        : `  API key    in ${stack.keyFile}   (admin; made on the first start)`,
      `  health     ${stack.api.url}/health      metrics ${stack.api.url}/metrics`,
      `  firehose   the Twitter sample replayed at ${options.rate} records/s with fresh ids and times`,
      `  batch      shred + batch views every ${options.batchEverySeconds} s; speed layer in between`,
      `  adapters   store ${options.storeUrl}, queue ${options.queueUrl}, speed ${options.speedStoreUrl}`,
      '',
      'Try (your stream "everything" counts every interaction):',
      `  curl -s ${url} -H "x-api-key: $(cat ${stack.keyFile})" -H 'content-type: application/json' \\`,
      `    -d '${JSON.stringify({ query })}'`,
      '',
      'Stop with Ctrl-C.',
      '',
    ].join('\n'),
  )
  await options.stopped
  await stack.stop()
}
