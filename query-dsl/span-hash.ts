/**
 * FNV-1a over the UTF-16 code units of `text.slice(start, end)`, without slicing, with the high
 * bits folded into the low ones that power-of-two hash tables mask. For tables probed by spans
 * of larger texts (token ids, huge `in` lists).
 */
export function hashSpan(text: string, start: number, end: number): number {
  let h = 0x811c9dc5
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return (h ^ (h >>> 15)) >>> 0
}
