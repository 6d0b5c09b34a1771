const ENTITY = /&(?:amp|lt|gt|quot|apos|#39|#x27|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g

const NAMED: Readonly<Record<string, string>> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&apos;': "'",
  '&#39;': "'",
  '&#x27;': "'",
}

function decodeOne(entity: string): string {
  const named = NAMED[entity]
  if (named !== undefined) return named
  const hex = entity.charCodeAt(2) === 0x78 /* x */
  const code = Number.parseInt(entity.slice(hex ? 3 : 2, -1), hex ? 16 : 10)
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity
}

/**
 * Decodes the HTML entities that Twitter and Reddit put in post text (`&amp;`, `&lt;`, `&gt;`,
 * quotes and numeric references). Other named entities are left as they are: neither source
 * emits them, and decoding them would corrupt text that legitimately contains "&name;".
 *
 * @example decodeHtmlEntities('fish &amp; chips') // 'fish & chips'
 */
export function decodeHtmlEntities(text: string): string {
  // Most posts hold no entity; skip the regex machinery for them.
  if (text.indexOf('&') === -1) return text
  return text.replace(ENTITY, decodeOne)
}
