import { readdir } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { parseRawSegmentKey, type RawSegmentKey } from '../schemas/index.js'

/*
 * A segment's life on local disk, by file suffix; the path under the log directory is its
 * object key with the suffix swapped:
 *   <key stem>.open              being appended to
 *   <key stem>.ndjson.gz.tmp     being compressed (removed by recovery)
 *   <key stem>.ndjson.gz         sealed, waiting for upload
 *   <key stem>.ndjson.gz.uploaded  uploaded and verified, kept until the hand-off passed it
 */
export const OPEN_SUFFIX = '.open'
export const SEALED_SUFFIX = '.ndjson.gz'
export const COMPRESSING_SUFFIX = '.ndjson.gz.tmp'
export const UPLOADED_SUFFIX = '.ndjson.gz.uploaded'

export type SegmentState = 'open' | 'compressing' | 'sealed' | 'uploaded'

export interface SegmentFile {
  readonly path: string
  readonly key: string
  readonly state: SegmentState
  readonly parts: RawSegmentKey
}

function stateOf(name: string): { state: SegmentState; stem: string } | undefined {
  for (const [suffix, state] of [
    [UPLOADED_SUFFIX, 'uploaded'],
    [COMPRESSING_SUFFIX, 'compressing'],
    [SEALED_SUFFIX, 'sealed'],
    [OPEN_SUFFIX, 'open'],
  ] as const)
    if (name.endsWith(suffix)) return { state, stem: name.slice(0, -suffix.length) }
  return undefined
}

/** Every segment file under the log directory, ordered by segment number. */
export async function listSegmentFiles(logDir: string): Promise<SegmentFile[]> {
  const out: SegmentFile[] = []
  for (const area of ['raw', 'rejects']) {
    const names = await readdir(join(logDir, area), { recursive: true }).catch(() => [])
    for (const name of names) {
      const s = stateOf(name)
      if (s === undefined) continue
      const key = `${relative(logDir, join(logDir, area, s.stem))
        .split(sep)
        .join('/')}${SEALED_SUFFIX}`
      const parts = parseRawSegmentKey(key)
      if (parts !== undefined)
        out.push({ path: join(logDir, area, name), key, state: s.state, parts })
    }
  }
  return out.sort((a, b) => a.parts.segment - b.parts.segment)
}

/** The local path of a segment key in a given state. */
export function segmentPath(logDir: string, key: string, state: SegmentState): string {
  const stem = join(logDir, ...key.slice(0, -SEALED_SUFFIX.length).split('/'))
  const suffix = {
    open: OPEN_SUFFIX,
    compressing: COMPRESSING_SUFFIX,
    sealed: SEALED_SUFFIX,
    uploaded: UPLOADED_SUFFIX,
  }[state]
  return stem + suffix
}
