/**
 * True for a UTF-16 code unit in JavaScript's whitespace set (`\s`, what `trim()` removes):
 * Unicode White_Space plus the BOM. For scanners that must agree with `trim()` and `\s`
 * without slicing strings.
 */
export function isJsWhitespace(c: number): boolean {
  return (
    c === 0x20 ||
    (c >= 0x09 && c <= 0x0d) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  )
}
