import { createReadStream, createWriteStream } from 'node:fs'
import { open, rename, unlink } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import { segmentPath } from './segment-files.js'

/**
 * Compresses an open segment into its sealed form: gzip into a temp file, fsync it, rename it
 * into place, then drop the open file. A crash at any point leaves either the open file (sealed
 * again by recovery) or the sealed one, never a half-compressed segment under the sealed name.
 * zlib runs on libuv's thread pool, so sealing does not stall the appends on the main thread.
 */
export async function sealSegment(logDir: string, key: string, gzipLevel: number): Promise<void> {
  const source = segmentPath(logDir, key, 'open')
  const temp = segmentPath(logDir, key, 'compressing')
  const sealed = segmentPath(logDir, key, 'sealed')
  await pipeline(
    createReadStream(source, { highWaterMark: 1 << 20 }),
    createGzip({ level: gzipLevel, chunkSize: 1 << 18 }),
    createWriteStream(temp),
  )
  const file = await open(temp, 'r')
  try {
    await file.sync()
  } finally {
    await file.close()
  }
  await rename(temp, sealed)
  await unlink(source)
}
