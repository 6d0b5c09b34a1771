import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'

/** The input could not be opened: missing file, a directory, no permission. */
export class InputOpenError extends Error {
  override readonly name = 'InputOpenError'
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`cannot read ${path}: ${reason}`)
  }
}

const GZIP_MAGIC = [0x1f, 0x8b] as const
const NEWLINE = 0x0a
const CARRIAGE_RETURN = 0x0d

/**
 * The bytes of `input`, gunzipped when they start with the gzip magic number, whatever the file
 * is called (stdin has no name).
 */
async function* plainBytes(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const chunks = input[Symbol.asyncIterator]()
  let head = Buffer.alloc(0)
  while (head.length < GZIP_MAGIC.length) {
    const next = await chunks.next()
    if (next.done === true) break
    head = Buffer.concat([head, next.value])
  }
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head
    for (let next = await chunks.next(); next.done !== true; next = await chunks.next())
      yield next.value
  }
  if (head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1])
    yield* Readable.from(rest()).pipe(createGunzip())
  else yield* rest()
}

async function openInput(path: string): Promise<Readable> {
  if (path === '-') return process.stdin
  const info = await stat(path).catch((e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code
    throw new InputOpenError(path, code === 'ENOENT' ? 'no such file' : String(e))
  })
  if (!info.isFile()) throw new InputOpenError(path, 'not a regular file')
  return createReadStream(path, { highWaterMark: 256 * 1024 })
}

function decodeLine(bytes: Buffer, start: number, end: number): string {
  const stop = end > start && bytes[end - 1] === CARRIAGE_RETURN ? end - 1 : end
  return bytes.toString('utf8', start, stop)
}

/**
 * Reads NDJSON lines from a file path or `-` (stdin), plain or gzip (detected from the bytes),
 * a chunk's worth of lines at a time: one await per chunk instead of one per line. Lines come
 * without their terminator (`\n` or `\r\n`); blank ones are kept (they are stream keep-alives).
 * Lines are split on bytes before decoding, so a UTF-8 character is never cut in two.
 *
 * @example for await (const lines of readLineBatches('tweets.jsonl.gz')) for (const line of lines) …
 */
export async function* readLineBatches(path: string): AsyncGenerator<readonly string[]> {
  let carry: Buffer | undefined
  for await (const chunk of plainBytes(await openInput(path))) {
    const bytes = carry === undefined ? chunk : Buffer.concat([carry, chunk])
    const lines: string[] = []
    let start = 0
    for (let nl = bytes.indexOf(NEWLINE, start); nl !== -1; nl = bytes.indexOf(NEWLINE, start)) {
      lines.push(decodeLine(bytes, start, nl))
      start = nl + 1
    }
    carry = start < bytes.length ? bytes.subarray(start) : undefined
    if (lines.length > 0) yield lines
  }
  if (carry !== undefined) yield [decodeLine(carry, 0, carry.length)]
}

/** Line by line over `readLineBatches`, for callers that do not care about batching. */
export async function* readLines(path: string): AsyncGenerator<string> {
  for await (const lines of readLineBatches(path)) yield* lines
}
