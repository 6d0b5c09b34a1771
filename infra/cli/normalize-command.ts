import { createWriteStream } from 'node:fs'
import type { Writable } from 'node:stream'
import {
  augment,
  encodeInteraction,
  NormalizeTally,
  normalizeLine,
  type FormatChoice,
  type NormalizeOutcome,
} from '../../schemas/index.js'
import { readLineBatches } from '../io/line-source.js'
import { LineSink } from '../io/line-sink.js'

/** Options of `sluice normalize`. */
export interface NormalizeOptions {
  readonly input: string
  readonly source: FormatChoice
  /** false skips the augmenters (language, sentiment, gender, links): normalization only. */
  readonly augment: boolean
  /** Where malformed records are set aside, one JSON object per line; none when undefined. */
  readonly rejectsPath: string | undefined
  readonly stdout: Writable
  readonly stderr: Writable
}

function rejectLine(line: number, code: string, reason: string, raw: string): string {
  return JSON.stringify({ line, code, reason, record: raw })
}

/** Writes the malformed parts of an outcome to the rejects sink; true when it needs a flush. */
function setAside(sink: LineSink, outcome: NormalizeOutcome, lineNo: number, raw: string): boolean {
  let full = false
  if (outcome.kind === 'malformed')
    full = sink.push(rejectLine(lineNo, outcome.error.code, outcome.error.message, raw))
  else if (outcome.kind === 'interactions')
    for (const e of outcome.rejected)
      full = sink.push(rejectLine(lineNo, e.code, e.message, raw)) || full
  return full
}

/**
 * `sluice normalize`: reads NDJSON (plain or gzip) in any supported source format, writes one
 * normalized (and by default augmented) interaction per line to stdout, sets malformed records
 * aside (counted; written to --rejects when given) and reports a summary on stderr.
 * Returns the tally; the caller picks the exit code.
 */
export async function runNormalize(options: NormalizeOptions): Promise<NormalizeTally> {
  const tally = new NormalizeTally()
  const out = new LineSink(options.stdout)
  const rejectsStream =
    options.rejectsPath === undefined ? undefined : createWriteStream(options.rejectsPath)
  const rejects = rejectsStream === undefined ? undefined : new LineSink(rejectsStream)
  const started = performance.now()
  let lineNo = 0
  for await (const batch of readLineBatches(options.input)) {
    let full = false
    for (const line of batch) {
      lineNo++
      const outcome = normalizeLine(line, options.source)
      tally.add(outcome, lineNo)
      if (outcome.kind === 'interactions')
        for (const interaction of outcome.interactions) {
          if (options.augment) augment(interaction)
          full = out.push(encodeInteraction(interaction)) || full
        }
      if (
        rejects !== undefined &&
        outcome.kind !== 'notice' &&
        setAside(rejects, outcome, lineNo, line)
      )
        await rejects.flush()
    }
    if (full) await out.flush()
  }
  await out.flush()
  if (rejects !== undefined && rejectsStream !== undefined) {
    await rejects.flush()
    await new Promise<void>((resolve, reject) =>
      rejectsStream.end((e?: Error | null) => (e ? reject(e) : resolve())),
    )
  }
  const seconds = (performance.now() - started) / 1000
  options.stderr.write(tally.report())
  options.stderr.write(
    `elapsed:               ${seconds.toFixed(2)} s (${Math.round(tally.records / Math.max(seconds, 1e-9))} records/s)\n`,
  )
  return tally
}
