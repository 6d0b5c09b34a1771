#!/usr/bin/env node
import { readFile } from 'node:fs/promises'
import { Command, InvalidArgumentError, Option } from 'commander'
import {
  INTERACTION_TYPES,
  SOURCE_FORMATS,
  isFormatChoice,
  type FormatChoice,
  type InteractionType,
} from '../../schemas/index.js'
import {
  CsdlInputError,
  runMatch,
  runValidate,
  type ListFiles,
  type StreamFiles,
} from '../cli/csdl-command.js'
import { runCollect, runGenerate } from '../cli/collect-command.js'
import { runNormalize } from '../cli/normalize-command.js'
import {
  FSYNC_POLICIES,
  SYNTHETIC_SOURCES,
  type FsyncPolicy,
  type Spike,
  type SyntheticSource,
} from '../../collectors/index.js'
import {
  DEFAULT_LOG_DIR,
  DEFAULT_SPEED_STORE_URL,
  DEFAULT_STORE_URL,
  parseQueueUrl,
  parseSpeedStoreUrl,
  parseStoreUrl,
} from '../config/adapter-urls.js'
import { ConfigError } from '../config/config-error.js'
import { runTargets } from '../cli/targets-command.js'
import { runMasterFiles, runShred } from '../cli/shred-command.js'
import { runBatchCommand, runBatchWorker } from '../cli/batch-command.js'
import {
  ReplayCommandError,
  runLocalReplay,
  runRemoteReplay,
  runReplayWorker,
} from '../cli/replay-command.js'
import { DEFAULT_LEASE_MS, runSpeedCommand } from '../cli/speed-command.js'
import { runStreamsAdd, runStreamsDelete, runStreamsList } from '../cli/streams-command.js'
import { CsdlCompileError, StreamNotFoundError } from '../../query-dsl/index.js'
import {
  DEFAULT_FUTURE_TOLERANCE_MS,
  MasterConflictError,
  MasterLogError,
  dayStart,
  isDay,
} from '../../schemas/index.js'
import { StoreError } from '../../schemas/ports/index.js'
import { SpeedLayoutError } from '../../speed/index.js'
import { ApiKeyNotFoundError, ReplayError } from '../../serving/index.js'
import { runKeysCreate, runKeysList, runKeysRevoke } from '../cli/keys-command.js'
import { runServeCommand } from '../cli/serve-command.js'
import { ApiCallError } from '../cli/api-client.js'
import {
  RecordingDownloadError,
  runRecordingsAction,
  runRecordingsDownload,
} from '../cli/recordings-command.js'
import { runStackCommand } from '../cli/stack-command.js'
import { SHRED_DEFAULTS, ShredLockedError } from '../../shredder/index.js'
import { InputOpenError } from '../io/line-source.js'

// `sluice normalize … | head` closes stdout early; that is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0)
  throw e
})

function parseFormat(value: string): FormatChoice {
  if (!isFormatChoice(value))
    throw new InvalidArgumentError(`expected auto or one of ${SOURCE_FORMATS.join(', ')}`)
  return value
}

function parseInteractionType(value: string): InteractionType {
  const found = INTERACTION_TYPES.find((t) => t === value)
  if (found === undefined)
    throw new InvalidArgumentError(`expected one of ${INTERACTION_TYPES.join(', ')}`)
  return found
}

const program = new Command()
  .name('sluice')
  .description('Sluice: social-interaction analytics (normalize, shred, batch, speed, serve).')
  .showHelpAfterError()
  // `sluice replay worker --queue …`: options after a subcommand are the subcommand's.
  .enablePositionalOptions()

program
  .command('normalize')
  .description(
    'Normalize raw records (NDJSON, plain or .gz) into interactions, one JSON object per line on stdout.',
  )
  .argument('[file]', 'input file, or - for stdin', '-')
  .addOption(
    new Option('--source <format>', `record format: auto, ${SOURCE_FORMATS.join(', ')}`)
      .default('auto')
      .argParser(parseFormat),
  )
  .option('--no-augment', 'skip language, sentiment, gender and link augmentation')
  .option('--rejects <file>', 'write malformed records here (NDJSON: line, code, reason, record)')
  .action(
    async (file: string, opts: { source: FormatChoice; augment: boolean; rejects?: string }) => {
      try {
        await runNormalize({
          input: file,
          source: opts.source,
          augment: opts.augment,
          rejectsPath: opts.rejects,
          stdout: process.stdout,
          stderr: process.stderr,
        })
      } catch (e) {
        if (e instanceof InputOpenError) {
          process.stderr.write(`sluice normalize: ${e.message}\n`)
          process.exitCode = 2
          return
        }
        throw e
      }
    },
  )

program
  .command('targets')
  .description('List the CSDL targets Sluice fills: type, sources, description.')
  .addOption(
    new Option(
      '--source <type>',
      `only targets filled by ${INTERACTION_TYPES.join(', ')}`,
    ).argParser(parseInteractionType),
  )
  .option('--json', 'one JSON object per target, with its CSDL type and allowed operators')
  .action((opts: { source?: InteractionType; json?: boolean }) => {
    runTargets({ source: opts.source, json: opts.json === true, stdout: process.stdout })
  })

function collectPair(
  what: string,
): (value: string, previous: { key: string; file: string }[]) => { key: string; file: string }[] {
  return (value, previous) => {
    const eq = value.indexOf('=')
    if (eq <= 0 || eq === value.length - 1) throw new InvalidArgumentError(`expected ${what}=FILE`)
    return [...previous, { key: value.slice(0, eq), file: value.slice(eq + 1) }]
  }
}

interface ReferenceOptions {
  stream: { key: string; file: string }[]
  list: { key: string; file: string }[]
}

function references(opts: ReferenceOptions): { streams: StreamFiles; lists: ListFiles } {
  return {
    streams: opts.stream.map(({ key, file }) => ({ hash: key, file })),
    lists: opts.list.map(({ key, file }) => ({ id: key, file })),
  }
}

/** The --stream and --list options every csdl command takes. */
function withReferences(command: Command): Command {
  return command
    .option(
      '--stream <hash=file>',
      'a definition that stream/tags references may name (repeatable)',
      collectPair('HASH'),
      [],
    )
    .option(
      '--list <id=file>',
      'a dynamic list for list_in/list_any, one item per line (repeatable)',
      collectPair('ID'),
      [],
    )
}

/**
 * Runs a command's work, turning the errors a user can cause (bad configuration, a held lock, a
 * damaged log, …) into one line on stderr and an exit status; anything else is a bug and throws.
 */
async function reporting(
  command: string,
  expected: readonly (abstract new (...args: never[]) => Error)[],
  run: () => Promise<unknown>,
  exitCode = 2,
): Promise<void> {
  try {
    await run()
  } catch (e) {
    if (!expected.some((kind) => e instanceof kind)) throw e
    process.stderr.write(`sluice ${command}: ${(e as Error).message}\n`)
    process.exitCode = exitCode
  }
}

async function reportingInputErrors(run: () => Promise<void>): Promise<void> {
  await reporting('csdl', [CsdlInputError, InputOpenError], run)
}

const csdl = program
  .command('csdl')
  .description("Compile and run CSDL filters (DataSift's filter language).")

withReferences(csdl.command('validate'))
  .description(
    'Compile a definition: print its hash and DPU cost, or LINE:COL: message per error (exit 1).',
  )
  .argument('[file]', 'CSDL file, or - for stdin', '-')
  .option('--json', 'print {hash, dpu, detail} or {errors} as JSON')
  .action(async (file: string, opts: ReferenceOptions & { json?: boolean }) => {
    await reportingInputErrors(async () => {
      process.exitCode = await runValidate({
        file,
        ...references(opts),
        json: opts.json === true,
        stdout: process.stdout,
      })
    })
  })

withReferences(csdl.command('match'))
  .description(
    'Run filters over interactions (NDJSON); one line per input with the matching hashes and tags.',
  )
  .argument('[input]', 'NDJSON interactions (plain or .gz), or - for stdin', '-')
  .requiredOption(
    '--filter <file>',
    'a CSDL filter file (repeatable)',
    (v: string, prev: string[]) => [...prev, v],
    [] as string[],
  )
  .action(async (input: string, opts: ReferenceOptions & { filter: string[] }) => {
    await reportingInputErrors(() =>
      runMatch({
        filters: opts.filter,
        input,
        ...references(opts),
        stdout: process.stdout,
        stderr: process.stderr,
      }),
    )
  })

function positiveNumber(value: string): number {
  const n = Number(value)
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('expected a positive number')
  return n
}

function positiveIntegerOrZero(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected an integer >= 0')
  return n
}

function positiveInteger(value: string): number {
  const n = positiveNumber(value)
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected a positive integer')
  return n
}

function share(value: string): number {
  const n = Number(value)
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('expected a share between 0 and 1')
  return n
}

/** Resolves on the first SIGINT or SIGTERM: when a long-running command should stop. */
function signalled(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
}

function parseListen(value: string): { host: string; port: number } {
  const cut = value.lastIndexOf(':')
  const host = cut <= 0 ? '127.0.0.1' : value.slice(0, cut).replace(/^\[|\]$/g, '')
  const port = Number(cut < 0 ? value : value.slice(cut + 1))
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('expected [HOST]:PORT, e.g. :8080 or 0.0.0.0:8080')
  return { host, port }
}

function parseSpike(value: string): Spike {
  const parts = value.split(':').map(Number)
  const [every, duration, factor] = parts
  if (parts.length !== 3 || !(every! > 0 && duration! > 0 && duration! < every! && factor! >= 1))
    throw new InvalidArgumentError('expected EVERY_S:DURATION_S:FACTOR, e.g. 60:10:10')
  return { everyMs: every! * 1000, durationMs: duration! * 1000, factor: factor! }
}

function parseSources(value: string): SyntheticSource[] {
  const out = value.split(',').map((s) => {
    const found = SYNTHETIC_SOURCES.find((k) => k === s.trim())
    if (found === undefined)
      throw new InvalidArgumentError(`expected some of ${SYNTHETIC_SOURCES.join(', ')}`)
    return found
  })
  return out
}

function gzipLevel(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 9) throw new InvalidArgumentError('expected 1 to 9')
  return n
}

function parseFsync(value: string): FsyncPolicy {
  const found = FSYNC_POLICIES.find((p) => p === value)
  if (found === undefined) throw new InvalidArgumentError(`expected ${FSYNC_POLICIES.join(', ')}`)
  return found
}

function isoTime(value: string): number {
  const t = Date.parse(value)
  if (Number.isNaN(t))
    throw new InvalidArgumentError('expected an ISO-8601 time, e.g. 2026-11-22T00:00:00Z')
  return t
}

interface GeneratorFlags {
  start?: number
  rate?: number
  count?: number
  seed: number
  sources: SyntheticSource[]
  duplicates: number
  malformed: number
  spike?: Spike
}

function withGeneratorOptions(command: Command): Command {
  return command
    .option('--rate <n>', 'records per second (default: as fast as possible)', positiveNumber)
    .option('--count <n>', 'stop after this many records', positiveInteger)
    .option('--spike <every:duration:factor>', 'periodic spikes, e.g. 60:10:10', parseSpike)
    .option('--seed <n>', 'seed of the synthetic firehose', positiveInteger, 1)
    .option(
      '--sources <list>',
      `synthetic formats (${SYNTHETIC_SOURCES.join(',')})`,
      parseSources,
      [...SYNTHETIC_SOURCES],
    )
    .option('--duplicates <share>', 'share of synthetic records repeated', share, 0.01)
    .option('--malformed <share>', 'share of synthetic lines broken', share, 0.001)
    .option(
      '--start <time>',
      'synthetic records start at this ISO time, one record per 1/rate s (default: the real clock)',
      isoTime,
    )
}

withGeneratorOptions(
  program
    .command('collect')
    .description(
      'Run a collector: HTTP ingest, a recorded firehose file, or the synthetic firehose, into the raw log and the object store.',
    )
    .option(
      '--http <[host]:port>',
      'serve POST /v1/ingest/<source>, /health, /metrics (loopback unless a host is given)',
      parseListen,
    )
    .option('--replay <file>', 'play a recorded firehose file (NDJSON, plain or .gz)')
    .option(
      '--source <format>',
      `the replayed file's format (default: detected): ${SOURCE_FORMATS.join(', ')}`,
    )
    .option('--generate', 'play the seeded synthetic firehose')
    .option(
      '--store <url>',
      'object store: file://PATH or s3://BUCKET/PREFIX?endpoint=URL',
      process.env['SLUICE_STORE'] ?? DEFAULT_STORE_URL,
    )
    .option(
      '--log-dir <dir>',
      'local raw log directory',
      process.env['SLUICE_LOG_DIR'] ?? DEFAULT_LOG_DIR,
    )
    .option(
      '--queue <url>',
      'hand the log off to this queue: memory: or redis://HOST:PORT',
      process.env['SLUICE_QUEUE'],
    )
    .option('--collector <id>', 'collector id used in segment names (default: from the host name)')
    .option(
      '--fsync <policy>',
      `when to sync the log: ${FSYNC_POLICIES.join(', ')}`,
      parseFsync,
      'batch',
    )
    .option('--segment-bytes <n>', 'seal a segment at this many bytes', positiveInteger)
    .option('--segment-age <s>', 'seal a segment after this many seconds', positiveNumber)
    .option(
      '--gzip-level <n>',
      'gzip level of sealed segments, 1 (fast) to 9 (small)',
      gzipLevel,
      3,
    )
    .option(
      '--body-timeout <s>',
      'with --http: seconds a request body may take to arrive (408 past it)',
      positiveNumber,
      30,
    )
    .option(
      '--body-idle <s>',
      'with --http: longest pause in seconds between two chunks of a body (408 past it)',
      positiveNumber,
      10,
    ),
).action(
  async (
    opts: GeneratorFlags & {
      http?: { host: string; port: number }
      replay?: string
      source?: string
      generate?: boolean
      store: string
      logDir: string
      queue?: string
      collector?: string
      fsync: FsyncPolicy
      segmentBytes?: number
      segmentAge?: number
      gzipLevel: number
      bodyTimeout: number
      bodyIdle: number
    },
  ) => {
    try {
      await runCollect({
        ...opts,
        generate: opts.generate === true,
        store: parseStoreUrl('--store', opts.store),
        queue: opts.queue === undefined ? undefined : parseQueueUrl('--queue', opts.queue),
        token: process.env['SLUICE_INGEST_TOKEN'],
        segmentAgeS: opts.segmentAge,
        bodyTimeoutS: opts.bodyTimeout,
        bodyIdleS: opts.bodyIdle,
      })
    } catch (e) {
      if (e instanceof ConfigError || e instanceof InputOpenError) {
        process.stderr.write(`sluice collect: ${e.message}\n`)
        process.exitCode = 2
        return
      }
      throw e
    }
  },
)

withGeneratorOptions(
  program
    .command('generate')
    .description('Write the seeded synthetic firehose (Twitter v1.1 and Reddit NDJSON) to stdout.'),
).action(async (opts: GeneratorFlags) => {
  await runGenerate({ ...opts, stdout: process.stdout })
})

function parseDay(value: string): string {
  if (!isDay(value)) throw new InvalidArgumentError('expected a UTC day, YYYY-MM-DD')
  return value
}

/** The same setting for shredder and speed layer: both must set the same records aside. */
const futureToleranceOption = (): Option =>
  new Option(
    '--future-tolerance <seconds>',
    'set aside (future_timestamp) a record created later than its receipt plus this',
  )
    .argParser(positiveIntegerOrZero)
    .default(DEFAULT_FUTURE_TOLERANCE_MS / 1000)

const storeOption = (): Option =>
  new Option(
    '--store <url>',
    'object store: file://PATH or s3://BUCKET/PREFIX?endpoint=URL',
  ).default(process.env['SLUICE_STORE'] ?? DEFAULT_STORE_URL)

program
  .command('shred')
  .description(
    'Shred raw segments not yet shredded into the Parquet master dataset (deduplicated per type and day), then compact and vacuum.',
  )
  .addOption(storeOption())
  .option('--from <day>', 'first raw day (receipt day of the segments) to shred', parseDay)
  .option('--to <day>', 'last raw day to shred (inclusive)', parseDay)
  .option('--chunk-mb <n>', 'gzip MB of raw segments published per commit', positiveNumber, 16)
  .option('--row-group-rows <n>', 'rows per Parquet row group', positiveInteger)
  .option('--part-rows <n>', 'rows a compacted part aims at', positiveInteger)
  .option('--no-compact', 'do not merge small parts')
  .option(
    '--retain <minutes>',
    'keep retired and unpublished part files this long before deleting them',
    (v: string) => {
      const n = Number(v)
      if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected minutes >= 0')
      return n
    },
  )
  .addOption(futureToleranceOption())
  .option(
    '--collector-timeout <minutes>',
    'a collector whose progress marker is older no longer holds the batch boundary back',
    positiveNumber,
    SHRED_DEFAULTS.collectorTimeoutMs / 60_000,
  )
  .option('--no-progress', 'no progress bar (there is none unless stderr is a terminal)')
  .action(
    async (opts: {
      store: string
      from?: string
      to?: string
      chunkMb: number
      rowGroupRows?: number
      partRows?: number
      compact: boolean
      retain?: number
      futureTolerance: number
      collectorTimeout: number
      progress: boolean
    }) => {
      await reporting(
        'shred',
        [ConfigError, ShredLockedError, MasterConflictError, MasterLogError],
        async () => {
          await runShred({
            store: parseStoreUrl('--store', opts.store),
            ...(opts.from === undefined ? {} : { from: opts.from }),
            ...(opts.to === undefined ? {} : { to: opts.to }),
            chunkMb: opts.chunkMb,
            ...(opts.rowGroupRows === undefined ? {} : { rowGroupRows: opts.rowGroupRows }),
            ...(opts.partRows === undefined ? {} : { partRows: opts.partRows }),
            compact: opts.compact,
            ...(opts.retain === undefined ? {} : { retainMinutes: opts.retain }),
            futureToleranceMs: opts.futureTolerance * 1000,
            collectorTimeoutMs: opts.collectorTimeout * 60_000,
            progress: opts.progress && process.stderr.isTTY,
            stdout: process.stdout,
            stderr: process.stderr,
          })
        },
      )
    },
  )

const master = program.command('master').description('The Parquet master dataset.')

master
  .command('files')
  .description(
    'Print the published Parquet parts (paths or s3:// URLs), e.g. for DuckDB: read_parquet([...], hive_partitioning = true).',
  )
  .addOption(storeOption())
  .option('--type <type...>', `interaction types: ${INTERACTION_TYPES.join(', ')}`)
  .option('--from <day>', 'first day of interaction.created_at', parseDay)
  .option('--to <day>', 'last day of interaction.created_at (inclusive)', parseDay)
  .action(async (opts: { store: string; type?: string[]; from?: string; to?: string }) => {
    await reporting('master files', [ConfigError, MasterLogError], async () => {
      await runMasterFiles({
        store: parseStoreUrl('--store', opts.store),
        ...(opts.type === undefined ? {} : { types: opts.type.map(parseInteractionType) }),
        ...(opts.from === undefined ? {} : { from: dayStart(opts.from) }),
        ...(opts.to === undefined ? {} : { to: dayStart(opts.to) + 86_400_000 }),
        stdout: process.stdout,
      })
    })
  })

const queueOption = (): Option =>
  new Option('--queue <url>', 'task queue: memory: (in this process) or redis://HOST:PORT').default(
    process.env['SLUICE_QUEUE'] ?? 'memory:',
  )

const streams = program
  .command('streams')
  .description('The registered streams (CSDL filters named by hash).')

streams
  .command('add')
  .description('Register the CSDL definition in FILE (- for stdin) and print its hash.')
  .argument('<file>', 'CSDL file, or - for stdin')
  .requiredOption('--name <name>', 'a name for the stream')
  .option('--owner <owner>', 'who registers it', 'cli')
  .addOption(storeOption())
  .action(async (file: string, opts: { name: string; owner: string; store: string }) => {
    try {
      await runStreamsAdd({
        store: parseStoreUrl('--store', opts.store),
        file,
        name: opts.name,
        owner: opts.owner,
        stdout: process.stdout,
      })
    } catch (e) {
      if (e instanceof CsdlCompileError) {
        process.stderr.write(`${e.message}\n`)
        process.exitCode = 1
        return
      }
      if (e instanceof ConfigError || (e as NodeJS.ErrnoException).code === 'ENOENT') {
        process.stderr.write(`sluice streams add: ${(e as Error).message}\n`)
        process.exitCode = 2
        return
      }
      throw e
    }
  })

streams
  .command('list')
  .description('List the registered streams: hash, DPU cost, owners and their names.')
  .option('--owner <owner>', "only this owner's streams")
  .addOption(storeOption())
  .action(async (opts: { owner?: string; store: string }) => {
    await runStreamsList({
      store: parseStoreUrl('--store', opts.store),
      ...(opts.owner === undefined ? {} : { owner: opts.owner }),
      stdout: process.stdout,
    })
  })

streams
  .command('delete')
  .description("Remove an owner's registration of a stream (the stream goes with its last owner).")
  .argument('<hash>', 'stream hash')
  .option('--owner <owner>', 'whose registration', 'cli')
  .addOption(storeOption())
  .action(async (hash: string, opts: { owner: string; store: string }) => {
    await reporting(
      'streams delete',
      [StreamNotFoundError],
      async () => {
        await runStreamsDelete({
          store: parseStoreUrl('--store', opts.store),
          hash,
          owner: opts.owner,
        })
      },
      1,
    )
  })

const batch = program
  .command('batch')
  .description('Batch views recomputed from the master dataset.')

batch
  .command('run')
  .description(
    'Recompute every view of every registered stream from the master dataset (only partitions and streams that changed), and publish them as the next version.',
  )
  .addOption(storeOption())
  .addOption(queueOption())
  .option(
    '--workers <n>',
    'workers in this process (more can run `sluice batch worker`)',
    positiveIntegerOrZero,
    2,
  )
  .option('--shards <n>', 'shards per view (a change rebuilds every row)', positiveInteger)
  .option(
    '--work-dir <dir>',
    'local directory where shards are built and the last version is kept (default: one per store under the system temp dir)',
  )
  .option('--full', 'rebuild every row instead of changing the previous version')
  .action(
    async (opts: {
      store: string
      queue: string
      workers: number
      shards?: number
      workDir?: string
      full?: boolean
    }) => {
      await reporting('batch run', [ConfigError, MasterLogError], async () => {
        await runBatchCommand({
          store: parseStoreUrl('--store', opts.store),
          queue: parseQueueUrl('--queue', opts.queue),
          workers: opts.workers,
          ...(opts.shards === undefined ? {} : { shards: opts.shards }),
          ...(opts.workDir === undefined ? {} : { workDir: opts.workDir }),
          full: opts.full === true,
          stdout: process.stdout,
          stderr: process.stderr,
        })
      })
    },
  )

batch
  .command('worker')
  .description(
    'Compute batch tasks (partitions to fold, shards to build) from a shared queue until SIGINT or SIGTERM.',
  )
  .addOption(storeOption())
  .addOption(queueOption())
  .option('--concurrency <n>', 'tasks at once', positiveInteger, 1)
  .option(
    '--work-dir <dir>',
    'local directory where shards are built and kept (default: one per store under the system temp dir)',
  )
  .action(async (opts: { store: string; queue: string; concurrency: number; workDir?: string }) => {
    await reporting('batch worker', [ConfigError], async () => {
      await runBatchWorker({
        store: parseStoreUrl('--store', opts.store),
        queue: parseQueueUrl('--queue', opts.queue),
        concurrency: opts.concurrency,
        ...(opts.workDir === undefined ? {} : { workDir: opts.workDir }),
        stderr: process.stderr,
        stopped: signalled(),
      })
    })
  })

const replay = program
  .command('replay')
  .description(
    'Replay a CSDL filter over the archive (the master dataset) between two times: matches in chronological chunks in --out, with a progress bar. With --api, through a remote stack.',
  )
  .option('--filter <file>', 'the CSDL filter to replay (a file)')
  .option('--from <time>', 'start (ISO 8601, inclusive)', isoTime)
  .option('--to <time>', 'end (ISO 8601, exclusive)', isoTime)
  .option('--types <list>', 'interaction types (default: all)', (v: string) =>
    v.split(',').map((t) => t.trim()),
  )
  .addOption(
    new Option('--format <format>', 'output format')
      .choices(['ndjson', 'parquet'])
      .default('ndjson'),
  )
  .option('--out <dir>', 'where the chunks and the manifest are written', './replay')
  .addOption(storeOption())
  .addOption(queueOption())
  .option(
    '--workers <n>',
    'tasks this process runs at once (more can run `sluice replay worker`)',
    positiveIntegerOrZero,
    2,
  )
  .option(
    '--api <url>',
    'create and follow the replay through this API instead (e.g. http://HOST:8080)',
  )
  .addOption(new Option('--key <key>', 'API key for --api').env('SLUICE_API_KEY'))
  .option('--no-progress', 'no progress bar (there is none unless stderr is a terminal)')
  .action(
    async (opts: {
      filter?: string
      from?: number
      to?: number
      types?: string[]
      format: 'ndjson' | 'parquet'
      out: string
      store: string
      queue: string
      workers: number
      api?: string
      key?: string
      progress: boolean
    }) => {
      await reporting(
        'replay',
        [ConfigError, ReplayCommandError, ReplayError, CsdlCompileError, InputOpenError],
        async () => {
          if (opts.filter === undefined || opts.from === undefined || opts.to === undefined)
            throw new ConfigError('--filter/--from/--to', '', 'give a filter file and both times')
          const csdl = await readFile(opts.filter, 'utf8').catch((e: unknown) => {
            throw new InputOpenError(
              opts.filter as string,
              e instanceof Error ? e.message : String(e),
            )
          })
          const common = {
            csdl,
            from: opts.from,
            to: opts.to,
            format: opts.format,
            out: opts.out,
            progress: opts.progress && process.stderr.isTTY,
            stdout: process.stdout,
            stderr: process.stderr,
            stopped: signalled(),
            ...(opts.types === undefined ? {} : { types: opts.types }),
          }
          if (opts.api !== undefined) {
            if (opts.key === undefined)
              throw new ConfigError(
                '--key',
                '',
                'an API key is needed with --api (or SLUICE_API_KEY)',
              )
            await runRemoteReplay({ ...common, api: opts.api, key: opts.key })
          } else
            await runLocalReplay({
              ...common,
              store: parseStoreUrl('--store', opts.store),
              queue: parseQueueUrl('--queue', opts.queue),
              workers: opts.workers,
            })
        },
      )
    },
  )

replay
  .command('worker')
  .description('Run replay tasks from a shared queue until SIGINT or SIGTERM.')
  .addOption(storeOption())
  .addOption(queueOption())
  .option('--concurrency <n>', 'tasks at once', positiveInteger, 1)
  .action(async (opts: { store: string; queue: string; concurrency: number }) => {
    await reporting('replay worker', [ConfigError], async () => {
      const { clean } = await runReplayWorker({
        store: parseStoreUrl('--store', opts.store),
        queue: parseQueueUrl('--queue', opts.queue),
        concurrency: opts.concurrency,
        stderr: process.stderr,
        stopped: signalled(),
      })
      // Open connections to a queue that is gone would keep the process alive.
      if (!clean) process.exit(process.exitCode ?? 0)
    })
  })

program
  .command('speed')
  .description(
    'Consume the collectors’ hand-off queue into the speed views (exactly once) until SIGINT or SIGTERM, publishing matches on the matches channel.',
  )
  .addOption(storeOption())
  .addOption(
    new Option(
      '--queue <url>',
      'the collectors’ hand-off queue (and the matches channel): redis://HOST:PORT',
    ).default(process.env['SLUICE_QUEUE'] ?? 'memory:'),
  )
  .addOption(
    new Option(
      '--speed-store <url>',
      'speed state: level://PATH (one process) or cassandra://HOST:PORT/KEYSPACE',
    ).default(process.env['SLUICE_SPEED_STORE'] ?? DEFAULT_SPEED_STORE_URL),
  )
  .option('--workers <n>', 'hand-off jobs handled at once', positiveInteger, 4)
  .option(
    '--routes <n>',
    'routes a new speed store is split into (default 4; an existing store keeps its own)',
    positiveInteger,
  )
  .option('--flush-ms <ms>', 'how long a route gathers jobs before one commit', positiveInteger, 50)
  .option(
    '--http <[host]:port>',
    'serve GET /health and GET /metrics (loopback unless a host is given)',
    parseListen,
  )
  .option(
    '--ttl-hours <h>',
    'speed entries live at most this long (expiry backstop)',
    positiveInteger,
    48,
  )
  .option(
    '--refresh-ms <ms>',
    'how often streams and the batch watermark are read',
    positiveInteger,
    5000,
  )
  .addOption(futureToleranceOption())
  .option(
    '--lease-ms <ms>',
    'how long a route lease lasts unless renewed: a paused or dead process’s routes move after about this',
    positiveInteger,
    DEFAULT_LEASE_MS,
  )
  .action(
    async (opts: {
      store: string
      queue: string
      speedStore: string
      workers: number
      routes?: number
      flushMs: number
      http?: { host: string; port: number }
      ttlHours: number
      refreshMs: number
      futureTolerance: number
      leaseMs: number
    }) => {
      await reporting('speed', [ConfigError, StoreError, SpeedLayoutError], async () => {
        const { clean } = await runSpeedCommand({
          store: parseStoreUrl('--store', opts.store),
          queue: parseQueueUrl('--queue', opts.queue),
          speedStore: parseSpeedStoreUrl('--speed-store', opts.speedStore),
          workers: opts.workers,
          ...(opts.routes === undefined ? {} : { routes: opts.routes }),
          ...(opts.http === undefined ? {} : { http: opts.http }),
          futureToleranceMs: opts.futureTolerance * 1000,
          leaseMs: opts.leaseMs,
          flushMs: opts.flushMs,
          ttlHours: opts.ttlHours,
          refreshMs: opts.refreshMs,
          stderr: process.stderr,
          stopped: signalled(),
        })
        // The queue's client may still be reconnecting; nothing is left to do.
        if (!clean) process.exit(process.exitCode ?? 0)
      })
    },
  )

program
  .command('serve')
  .description(
    'Serve the GraphQL API (POST /graphql with an API key), GET /health and GET /metrics.',
  )
  .addOption(storeOption())
  .addOption(
    new Option(
      '--speed-store <url>',
      'speed state: level://PATH (only if no speed process holds it) or cassandra://HOST:PORT/KEYSPACE',
    ).default(process.env['SLUICE_SPEED_STORE'] ?? DEFAULT_SPEED_STORE_URL),
  )
  .option(
    '--http <[host]:port>',
    'where to listen (loopback unless a host is given)',
    parseListen,
    { host: '127.0.0.1', port: 8080 },
  )
  .option('--cache-dir <dir>', 'where the served batch version is copied (default: a temp dir)')
  .option('--refresh-ms <ms>', 'how often to look for a newer batch version', positiveInteger, 5000)
  .option('--graphiql', 'serve GraphiQL at GET /graphql (development)')
  .option(
    '--rate-limit <n>',
    'requests per second per API key (bursts of 2n)',
    positiveInteger,
    200,
  )
  .option(
    '--response-cache-ms <ms>',
    "how long a key's answer is reused for the same query (0: never)",
    positiveIntegerOrZero,
    1000,
  )
  .addOption(
    new Option(
      '--queue <url>',
      'memory: (replay tasks run here; no recordings, no live matches) or redis://HOST:PORT (replay tasks shared with `sluice replay worker`, the matches channel and the hand-off queue of `sluice speed`)',
    ).default(process.env['SLUICE_QUEUE'] ?? 'memory:'),
  )
  .option('--replay-workers <n>', 'replay tasks this server runs at once', positiveIntegerOrZero, 1)
  .option(
    '--recording-settle-ms <ms>',
    "how long after a recording's end records handed off late are waited for",
    positiveIntegerOrZero,
    30_000,
  )
  .option(
    '--max-recordings <n>',
    'recordings a key may have scheduled or running at once',
    positiveInteger,
    10,
  )
  .option(
    '--max-concurrent <n>',
    'requests of one API key in progress at once',
    positiveInteger,
    32,
  )
  .option(
    '--max-live <n>',
    'live connections (HTTP, WebSocket, subscriptions) one API key may hold open',
    positiveInteger,
    100,
  )
  .option('--max-streams <n>', 'streams one API key may register', positiveInteger, 200)
  .option(
    '--compile-threads <n>',
    "worker threads compiling callers' filters off the event loop (0: on it)",
    positiveIntegerOrZero,
    1,
  )
  .option(
    '--cors-origin <origins>',
    'origins (comma-separated) whose pages may call the API from a browser (default: none)',
    (v: string) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o !== ''),
  )
  .action(
    async (opts: {
      store: string
      speedStore: string
      http: { host: string; port: number }
      cacheDir?: string
      refreshMs: number
      graphiql?: boolean
      rateLimit: number
      responseCacheMs: number
      queue: string
      replayWorkers: number
      recordingSettleMs: number
      maxRecordings: number
      maxConcurrent: number
      maxLive: number
      maxStreams: number
      compileThreads: number
      corsOrigin?: string[]
    }) => {
      await reporting('serve', [ConfigError, StoreError], async () => {
        await runServeCommand({
          store: parseStoreUrl('--store', opts.store),
          speedStore: parseSpeedStoreUrl('--speed-store', opts.speedStore),
          http: opts.http,
          ...(opts.cacheDir === undefined ? {} : { cacheDir: opts.cacheDir }),
          refreshMs: opts.refreshMs,
          graphiql: opts.graphiql === true,
          rateLimit: opts.rateLimit,
          responseCacheMs: opts.responseCacheMs,
          queue: parseQueueUrl('--queue', opts.queue),
          replayWorkers: opts.replayWorkers,
          recordingSettleMs: opts.recordingSettleMs,
          maxRecordings: opts.maxRecordings,
          maxConcurrent: opts.maxConcurrent,
          maxLive: opts.maxLive,
          maxStreams: opts.maxStreams,
          compileThreads: opts.compileThreads,
          ...(opts.corsOrigin === undefined ? {} : { corsOrigins: opts.corsOrigin }),
          stderr: process.stderr,
          stopped: signalled(),
        })
      })
    },
  )

const recordings = program
  .command('recordings')
  .description(
    'Scheduled recordings of a stream between two times, through the API: schedule, list, show, cancel, delete, download.',
  )

/** The API and key options every `sluice recordings` command takes. */
function withApi(command: Command): Command {
  return command
    .addOption(
      new Option('--api <url>', 'the API (e.g. http://HOST:8080)')
        .env('SLUICE_API')
        .default('http://127.0.0.1:8080'),
    )
    .addOption(
      new Option('--key <key>', 'your API key').env('SLUICE_API_KEY').makeOptionMandatory(),
    )
}

const RECORDING_ERRORS = [ApiCallError, RecordingDownloadError, InputOpenError]

withApi(recordings.command('schedule'))
  .description("Record one of your streams' matches created in [start, end); print the recording.")
  .requiredOption('--stream <hash>', 'the stream (one of yours)')
  .requiredOption('--start <time>', 'start (ISO 8601, at least a few seconds ahead)', isoTime)
  .requiredOption('--end <time>', 'end (ISO 8601, exclusive)', isoTime)
  .addOption(
    new Option('--format <format>', 'output format')
      .choices(['ndjson', 'csv', 'parquet'])
      .default('ndjson'),
  )
  .option('--fields <targets>', 'CSV columns, comma-separated target paths', (v: string) =>
    v.split(',').map((t) => t.trim()),
  )
  .option('--name <name>', 'a name to know it by')
  .action(
    async (opts: {
      api: string
      key: string
      stream: string
      start: number
      end: number
      format: string
      fields?: string[]
      name?: string
    }) => {
      await reporting('recordings schedule', RECORDING_ERRORS, () =>
        runRecordingsAction(
          { api: opts.api, key: opts.key, stdout: process.stdout },
          {
            kind: 'schedule',
            args: {
              stream: opts.stream,
              start: opts.start,
              end: opts.end,
              format: opts.format,
              ...(opts.fields === undefined ? {} : { fields: opts.fields }),
              ...(opts.name === undefined ? {} : { name: opts.name }),
            },
          },
        ),
      )
    },
  )

withApi(recordings.command('list'))
  .description('Print your recordings, newest first.')
  .action(async (opts: { api: string; key: string }) => {
    await reporting('recordings list', RECORDING_ERRORS, () =>
      runRecordingsAction({ ...opts, stdout: process.stdout }, { kind: 'list' }),
    )
  })

for (const [kind, what] of [
  ['show', 'Print one of your recordings.'],
  ['cancel', 'Cancel a recording: before its start nothing is kept; while recording it ends now.'],
  ['delete', 'Delete a recording that is not running, with its output.'],
] as const)
  withApi(recordings.command(kind))
    .description(what)
    .argument('<id>', 'the recording')
    .action(async (id: string, opts: { api: string; key: string }) => {
      await reporting(`recordings ${kind}`, RECORDING_ERRORS, () =>
        runRecordingsAction({ ...opts, stdout: process.stdout }, { kind, id }),
      )
    })

withApi(recordings.command('download'))
  .description(
    'Download a finished recording into one file (NDJSON or CSV, gzip when FILE ends in .gz, or Parquet), resuming a download that was interrupted.',
  )
  .argument('<id>', 'the recording')
  .requiredOption('--out <file>', 'the file to write')
  .addOption(
    new Option('--format <format>', "the recording's format (checked)").choices([
      'ndjson',
      'csv',
      'parquet',
    ]),
  )
  .option('--no-progress', 'no progress bar (there is none unless stderr is a terminal)')
  .action(
    async (
      id: string,
      opts: { api: string; key: string; out: string; format?: string; progress: boolean },
    ) => {
      await reporting('recordings download', RECORDING_ERRORS, () =>
        runRecordingsDownload({
          api: opts.api,
          key: opts.key,
          id,
          out: opts.out,
          progress: opts.progress && process.stderr.isTTY,
          stderr: process.stderr,
          ...(opts.format === undefined ? {} : { format: opts.format }),
        }),
      )
    },
  )

const keys = program.command('keys').description('API keys (stored hashed in the object store).')

keys
  .command('create')
  .description('Create an API key and print it (shown once) with its id.')
  .requiredOption('--name <name>', 'who or what the key is for')
  .option('--admin', 'the key may create, list and revoke keys through the API')
  .addOption(storeOption())
  .action(async (opts: { name: string; admin?: boolean; store: string }) => {
    await runKeysCreate({
      store: parseStoreUrl('--store', opts.store),
      name: opts.name,
      admin: opts.admin === true,
      stdout: process.stdout,
    })
  })

keys
  .command('list')
  .description('List the keys: id, name, admin or user, created, active or revoked.')
  .addOption(storeOption())
  .action(async (opts: { store: string }) => {
    await runKeysList({ store: parseStoreUrl('--store', opts.store), stdout: process.stdout })
  })

keys
  .command('revoke')
  .description('Revoke a key by id (requests with it get 401 within seconds).')
  .argument('<id>', 'the key id (k_…)')
  .addOption(storeOption())
  .action(async (id: string, opts: { store: string }) => {
    await reporting(
      'keys revoke',
      [ApiKeyNotFoundError],
      async () => {
        await runKeysRevoke({ store: parseStoreUrl('--store', opts.store), id })
      },
      1,
    )
  })

program
  .command('stack')
  .description(
    'Run everything in one process (npm start): a replayed firehose, a collector, the speed layer, periodic shred and batch, and the GraphQL API.',
  )
  .option('--data-dir <dir>', 'where the embedded adapters keep their files', './data')
  .option('--store <url>', 'object store (default file://DATA_DIR/store; env SLUICE_STORE)')
  .option('--queue <url>', 'hand-off queue: memory: or redis://HOST:PORT (env SLUICE_QUEUE)')
  .option(
    '--speed-store <url>',
    'speed state (default level://DATA_DIR/speed; env SLUICE_SPEED_STORE)',
  )
  .option(
    '--http <[host]:port>',
    'where the API listens (env SLUICE_HTTP; default 127.0.0.1:8080)',
    parseListen,
  )
  .option(
    '--sample <file>',
    'the recorded firehose to replay',
    process.env['SLUICE_SAMPLE'] ?? '../shared/data/twitter-v1-sample.jsonl.gz',
  )
  .option('--rate <n>', 'replayed records per second (0: none)', positiveIntegerOrZero, 200)
  .option('--batch-every <s>', 'seconds between shred + batch runs', positiveInteger, 60)
  .option('--count <n>', 'stop the replayed firehose after this many records', positiveInteger)
  .option(
    '--segment-age <s>',
    'seal and upload a raw-log segment after this many seconds',
    positiveNumber,
    10,
  )
  .action(
    async (opts: {
      count?: number
      segmentAge: number
      dataDir: string
      store?: string
      queue?: string
      speedStore?: string
      http?: { host: string; port: number }
      sample: string
      rate: number
      batchEvery: number
    }) => {
      const storeUrl = opts.store ?? process.env['SLUICE_STORE'] ?? `file://${opts.dataDir}/store`
      const queueUrl = opts.queue ?? process.env['SLUICE_QUEUE'] ?? 'memory:'
      const speedStoreUrl =
        opts.speedStore ?? process.env['SLUICE_SPEED_STORE'] ?? `level://${opts.dataDir}/speed`
      await reporting('stack', [ConfigError, StoreError, SpeedLayoutError], async () => {
        await runStackCommand({
          dataDir: opts.dataDir,
          store: parseStoreUrl('--store', storeUrl),
          storeUrl,
          queue: parseQueueUrl('--queue', queueUrl),
          queueUrl,
          speedStore: parseSpeedStoreUrl('--speed-store', speedStoreUrl),
          speedStoreUrl,
          http:
            opts.http ??
            (process.env['SLUICE_HTTP'] === undefined
              ? { host: '127.0.0.1', port: 8080 }
              : parseListen(process.env['SLUICE_HTTP'])),
          sampleFile: opts.sample,
          rate: opts.rate,
          ...(opts.count === undefined ? {} : { count: opts.count }),
          segmentAgeSeconds: opts.segmentAge,
          batchEverySeconds: opts.batchEvery,
          stdout: process.stdout,
          stopped: signalled(),
        })
      })
    },
  )

await program.parseAsync()
