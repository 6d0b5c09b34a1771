import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { detectFormat, isJsonObject } from '../schemas/index.js'

const GZIP_MAGIC = 0x1f8b

async function* bytesOf(path: string): AsyncGenerator<Buffer> {
  const input = createReadStream(path, { highWaterMark: 1 << 20 })
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  const first = await chunks.next()
  if (first.done === true) return
  const head: Buffer = first.value
  async function* all(): AsyncGenerator<Buffer> {
    yield head
    for (let n = await chunks.next(); n.done !== true; n = await chunks.next()) yield n.value
  }
  if (head.length >= 2 && head.readUInt16BE(0) === GZIP_MAGIC)
    yield* Readable.from(all()).pipe(createGunzip())
  else yield* all()
}

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
 * The lines of a recorded firehose file (plain or gzip, detected from the bytes), each with
 * its source format: `source` when given, else detected from the first record that parses
 * (lines before it — keep-alives, notices — are sent under that source too, where the
 * collector sets them aside).
 */
export async function* fileFirehose(
  path: string,
  source?: string,
): AsyncGenerator<{ source: string; line: string }> {
  const lines = createInterface({ input: Readable.from(bytesOf(path)), crlfDelay: Infinity })
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
    throw new Error(`${path}: no line is a record of a known source format; pass --source`)
}
