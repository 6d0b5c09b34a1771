/** A half-open range `[start, end)` of UTF-16 code units in a JS string. */
export interface TextSpan {
  readonly start: number
  readonly end: number
}

function hasSurrogates(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdfff) return true
  }
  return false
}

/**
 * Converts code-point offsets (how Twitter counts entity indices) into UTF-16 offsets of `text`.
 * Offsets past the end clamp to the end. Returns the same array when the text has no astral
 * characters, which is the common case.
 *
 * @example toUtf16Offsets('😀 #a', [2, 4]) // [3, 5]
 */
export function toUtf16Offsets(
  text: string,
  codePointOffsets: readonly number[],
): readonly number[] {
  if (!hasSurrogates(text))
    return codePointOffsets.map((o) => Math.min(Math.max(o, 0), text.length))
  const out = new Array<number>(codePointOffsets.length)
  // Offsets are few per text; walk the string once per offset from a sorted start.
  const order = codePointOffsets
    .map((_, i) => i)
    .sort((a, b) => (codePointOffsets[a] ?? 0) - (codePointOffsets[b] ?? 0))
  let unit = 0
  let point = 0
  for (const idx of order) {
    const target = Math.max(codePointOffsets[idx] ?? 0, 0)
    while (point < target && unit < text.length) {
      const c = text.charCodeAt(unit)
      unit += c >= 0xd800 && c <= 0xdbff && unit + 1 < text.length ? 2 : 1
      point++
    }
    out[idx] = unit
  }
  return out
}

/**
 * Returns `text` with the given spans cut out, then trimmed. Spans may be unsorted and may
 * overlap; out-of-range spans are clamped.
 *
 * @example removeSpans('hi @bob there', [{ start: 3, end: 7 }]) // 'hi  there'
 */
export function removeSpans(text: string, spans: readonly TextSpan[]): string {
  if (spans.length === 0) return text.trim()
  const sorted = spans.length === 1 ? spans : [...spans].sort((a, b) => a.start - b.start)
  let out = ''
  let cursor = 0
  for (const span of sorted) {
    const start = Math.min(Math.max(span.start, cursor), text.length)
    const end = Math.min(Math.max(span.end, start), text.length)
    out += text.slice(cursor, start)
    cursor = end
  }
  out += text.slice(cursor)
  return out.trim()
}
