import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createInterface } from 'node:readline'
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

/**
 * Reads NDJSON lines from a file path or `-` (stdin), plain or gzip (detected from the bytes).
 * Lines are yielded without their terminator, blank ones included (a stream's keep-alives).
 *
 * @example for await (const line of readLines('tweets.jsonl.gz')) …
 */
export async function* readLines(path: string): AsyncGenerator<string> {
  let input: Readable
  if (path === '-') input = process.stdin
  else {
    const info = await stat(path).catch((e: unknown) => {
      const code = (e as NodeJS.ErrnoException).code
      throw new InputOpenError(path, code === 'ENOENT' ? 'no such file' : String(e))
    })
    if (!info.isFile()) throw new InputOpenError(path, 'not a regular file')
    input = createReadStream(path)
  }
  const lines = createInterface({ input: Readable.from(plainBytes(input)), crlfDelay: Infinity })
  for await (const line of lines) yield line
}
