#!/usr/bin/env node
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
import { runNormalize } from '../cli/normalize-command.js'
import { runTargets } from '../cli/targets-command.js'
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

async function reportingInputErrors(run: () => Promise<void>): Promise<void> {
  try {
    await run()
  } catch (e) {
    if (e instanceof CsdlInputError || e instanceof InputOpenError) {
      process.stderr.write(`sluice csdl: ${e.message}\n`)
      process.exitCode = 2
      return
    }
    throw e
  }
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

await program.parseAsync()
