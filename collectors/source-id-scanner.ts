const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const COLON = 0x3a
const SPACE = 0x20
const TAB = 0x09
const CR = 0x0d

// `"id"` and `"id_str"` as bytes, quotes included.
const ID_KEY = Buffer.from('"id"')
const ID_STR_KEY = Buffer.from('"id_str"')
// Twitter API v2 wraps a tweet as {"data": {...}}; its id is one level down.
const DATA_KEY = Buffer.from('"data"')

function keyIs(line: Buffer, start: number, end: number, key: Buffer): boolean {
  if (end - start !== key.length) return false
  for (let i = 0; i < key.length; i++) if (line[start + i] !== key[i]) return false
  return true
}

function skipSpace(line: Buffer, i: number, end: number): number {
  while (i < end) {
    const c = line[i]
    if (c !== SPACE && c !== TAB && c !== CR && c !== 0x0a) break
    i++
  }
  return i
}

/** The end (exclusive) of the string starting at the quote at `i`, or -1 if unterminated. */
function stringEnd(line: Buffer, i: number, end: number): number {
  for (let j = i + 1; j < end; j++) {
    const c = line[j]
    if (c === BACKSLASH) j++
    else if (c === QUOTE) return j + 1
  }
  return -1
}

/** The scalar value at `i` as text (a string without its quotes, or a number), or undefined. */
function scalarAt(line: Buffer, i: number, end: number): string | undefined {
  if (line[i] === QUOTE) {
    const stop = stringEnd(line, i, end)
    if (stop < 0) return undefined
    const text = line.toString('latin1', i + 1, stop - 1)
    // Escapes in an id are rare enough that decoding them the slow way is fine.
    return text.includes('\\') ? (JSON.parse(line.toString('utf8', i, stop)) as string) : text
  }
  let j = i
  while (j < end) {
    const c = line[j] ?? 0
    if (!((c >= 0x30 && c <= 0x39) || c === 0x2d)) break
    j++
  }
  return j > i ? line.toString('latin1', i, j) : undefined
}

/**
 * Finds a record's own id in its raw bytes without parsing the JSON: the first `"id"` or
 * `"id_str"` member of the top-level object (Twitter v1.1, Reddit, Facebook, Foursquare,
 * activity streams), or of its `"data"` object (Twitter v2). Only strings and brackets are
 * tracked, and the scan stops at the first hit, which in these formats is usually within the
 * first hundred bytes. Answers `undefined` when there is no such member; the collector then
 * keeps the record without de-duplicating it.
 */
export function scanSourceId(line: Buffer, start = 0, end = line.length): string | undefined {
  let depth = 0
  // Depth at which an id counts: 1, or 2 inside a top-level "data" object.
  let inData = false
  let i = start
  while (i < end) {
    const c = line[i]
    if (c === QUOTE) {
      const stop = stringEnd(line, i, end)
      if (stop < 0) return undefined
      const valueAt = skipSpace(line, stop, end)
      if (line[valueAt] === COLON && (depth === 1 || (depth === 2 && inData))) {
        const v = skipSpace(line, valueAt + 1, end)
        if (keyIs(line, i, stop, ID_KEY) || keyIs(line, i, stop, ID_STR_KEY)) {
          const id = scalarAt(line, v, end)
          if (id !== undefined) return id
        } else if (depth === 1 && keyIs(line, i, stop, DATA_KEY) && line[v] === OPEN_BRACE) {
          inData = true
          depth++
          i = v + 1
          continue
        }
      }
      i = stop
      continue
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--
      if (depth === 1) inData = false
    }
    i++
  }
  return undefined
}
