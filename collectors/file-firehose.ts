import { detectFormat, isJsonObject } from '../schemas/index.js'

/** The source format of a line, when it parses and its shape says. */
function formatOf(line: string): string | undefined {
  try {
    const value: unknown = JSON.parse(line)
    return isJsonObject(value) ? detectFormat(value) : undefined
  } catch {
    return undefined
  }
}

/**
 * The lines of a recorded firehose, each with its source format: `source` when given, else
 * detected from the first record that parses (lines before it — keep-alives, notices — are
 * sent under that source too, where the collector sets them aside). `name` is for the error
 * when no line is a record of a known format.
 */
export async function* withSourceFormat(
  lines: AsyncIterable<string>,
  name: string,
  source?: string,
): AsyncGenerator<{ source: string; line: string }> {
  let format = source
  const early: string[] = []
  for await (const line of lines) {
    if (format === undefined) {
      format = formatOf(line)
      early.push(line)
      if (format === undefined) continue
      for (const l of early) yield { source: format, line: l }
      continue
    }
    yield { source: format, line }
  }
  if (format === undefined && early.length > 0)
    throw new Error(`${name}: no line is a record of a known source format; pass --source`)
}
