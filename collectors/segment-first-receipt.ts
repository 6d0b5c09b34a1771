import { createReadStream } from 'node:fs'
import { createGunzip } from 'node:zlib'
import type { SegmentFile } from './segment-files.js'

const RECEIVED_AT = /"received_at":"([^"]+)"/
// A first line is one envelope: a record is at most 1 MB, so this much always holds it.
const MAX_FIRST_LINE_BYTES = 2 * 1024 * 1024

/**
 * The receipt time of a raw-log segment file's first line (its earliest: records are appended
 * in receipt order), read without inflating the rest of the file. `undefined` when the file
 * has no readable first line (empty, or gone meanwhile).
 */
export async function segmentFirstReceipt(file: SegmentFile): Promise<number | undefined> {
  if (file.state !== 'open' && file.state !== 'sealed' && file.state !== 'uploaded')
    return undefined
  const raw = createReadStream(
    file.path,
    file.state === 'open' ? { end: MAX_FIRST_LINE_BYTES } : {},
  )
  const input = file.state === 'open' ? raw : raw.pipe(createGunzip())
  let text = ''
  try {
    for await (const chunk of input) {
      text += (chunk as Buffer).toString('utf8')
      const end = text.indexOf('\n')
      if (end >= 0 || text.length > MAX_FIRST_LINE_BYTES) {
        text = end >= 0 ? text.slice(0, end) : text
        break
      }
    }
  } catch {
    return undefined
  } finally {
    raw.destroy()
  }
  const m = RECEIVED_AT.exec(text)
  const at = m?.[1] === undefined ? NaN : Date.parse(m[1])
  return Number.isFinite(at) ? at : undefined
}
