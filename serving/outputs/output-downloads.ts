import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ObjectStore } from '../../schemas/ports/index.js'
import type { OutputChunk } from './output-chunks.js'
import { writable } from './response-writable.js'

// Large files are sent in slices, so a download never holds a whole chunk in memory.
const SLICE_BYTES = 4 * 1024 * 1024

/**
 * A single byte range of a `size`-byte file (RFC 9110 §14.1.2), 'unsatisfiable' (416), or
 * undefined for all of it: no header, several ranges, another unit, or a range that is not
 * valid (`5-2`), which RFC 9110 says to ignore.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined
  const m = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim())
  if (m === null || (m[1] === '' && m[2] === '')) return undefined
  if (m[1] === '') {
    // The last N bytes; N = 0 cannot be satisfied.
    const suffix = Number(m[2])
    return suffix === 0 || size === 0
      ? 'unsatisfiable'
      : { start: Math.max(0, size - suffix), end: size }
  }
  const start = Number(m[1])
  if (m[2] !== '' && Number(m[2]) < start) return undefined
  if (start >= size) return 'unsatisfiable'
  return { start, end: m[2] === '' ? size : Math.min(size, Number(m[2]) + 1) }
}

function contentType(name: string): string {
  if (name.endsWith('.json')) return 'application/json'
  if (name.endsWith('.parquet')) return 'application/vnd.apache.parquet'
  return 'application/gzip'
}

/** Finds a file of one of the owner's outputs (a replay's, a recording's) by job id and name. */
export type OutputFileFinder = (
  owner: string,
  id: string,
  name: string,
) => Promise<{ key: string; chunk?: OutputChunk } | undefined>

/**
 * `GET /<replays|recordings>/<id>/<file>`: a ready chunk (or the manifest) of one of the
 * caller's jobs, with HTTP Range for resuming. Answers 404 alike for a missing file and
 * another key's job.
 */
export async function serveOutputFile(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  deps: {
    readonly store: ObjectStore
    readonly find: OutputFileFinder
    /** The caller's key id (already verified). */
    readonly owner: string
  },
): Promise<void> {
  const m = /^\/[a-z]+\/([^/]+)\/(.+)$/.exec(path)
  const file = m === null ? undefined : await deps.find(deps.owner, m[1] as string, m[2] as string)
  const info = file === undefined ? undefined : await deps.store.head(file.key)
  if (file === undefined || info === undefined) {
    res.writeHead(404, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ error: 'no such file for this key', code: 'NOT_FOUND' }))
    return
  }
  const common = {
    'accept-ranges': 'bytes',
    'content-type': contentType(file.key),
    ...(file.chunk === undefined ? {} : { etag: `"${file.chunk.sha256}"` }),
  }
  const range = parseRange(req.headers.range, info.size)
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...common, 'content-range': `bytes */${info.size}` })
    res.end()
    return
  }
  const { start, end } = range ?? { start: 0, end: info.size }
  res.writeHead(range === undefined ? 200 : 206, {
    ...common,
    'content-length': String(end - start),
    ...(range === undefined ? {} : { 'content-range': `bytes ${start}-${end - 1}/${info.size}` }),
  })
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  for (let at = start; at < end && !res.destroyed; at += SLICE_BYTES) {
    const bytes = await deps.store.getRange(file.key, at, Math.min(end, at + SLICE_BYTES))
    if (bytes === undefined) break
    if (!res.write(bytes)) await writable(res)
  }
  res.end()
}
