#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander'
import {
  INTERACTION_TYPES,
  SOURCE_FORMATS,
  isFormatChoice,
  type FormatChoice,
  type InteractionType,
} from '../../schemas/index.js'
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

await program.parseAsync()
