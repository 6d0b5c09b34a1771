/*
 * (key, bytes) pairs as bytes: a magic, then each pair as two 32-bit lengths, the key in UTF-8
 * and the value's bytes. Binary rather than JSON, so stored partials and keyed view values are
 * read without parsing text or decoding base64.
 */

const MAGIC = 0x534c5031 // "SLP1"

/** Bytes that were not written by {@link encodeEntries}. */
export class EntryFormatError extends Error {
  override readonly name = 'EntryFormatError'
  constructor(
    readonly at: number,
    reason: string,
  ) {
    super(`encoded entries are malformed at byte ${at}: ${reason}`)
  }
}

export function encodeEntries(entries: readonly (readonly [string, Uint8Array])[]): Buffer {
  let size = 4
  for (const [key, value] of entries) size += 8 + Buffer.byteLength(key, 'utf8') + value.byteLength
  const out = Buffer.allocUnsafe(size)
  out.writeUInt32BE(MAGIC, 0)
  let at = 4
  for (const [key, value] of entries) {
    const keyLength = out.write(key, at + 8, 'utf8')
    out.writeUInt32BE(keyLength, at)
    out.writeUInt32BE(value.byteLength, at + 4)
    out.set(value, at + 8 + keyLength)
    at += 8 + keyLength + value.byteLength
  }
  return out
}

/**
 * The (key, bytes) pairs; with `keyPrefix`, only those whose key starts with it (compared as
 * bytes, so the others cost no string).
 */
export function* decodeEntries(
  bytes: Uint8Array,
  keyPrefix?: Uint8Array,
): Generator<[string, Uint8Array]> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const prefixLength = keyPrefix?.byteLength ?? 0
  if (buf.length < 4 || buf.readUInt32BE(0) !== MAGIC) throw new EntryFormatError(0, 'no magic')
  let at = 4
  while (at < buf.length) {
    if (at + 8 > buf.length) throw new EntryFormatError(at, 'truncated lengths')
    const keyLength = buf.readUInt32BE(at)
    const valueLength = buf.readUInt32BE(at + 4)
    const keyEnd = at + 8 + keyLength
    const valueEnd = keyEnd + valueLength
    if (valueEnd > buf.length) throw new EntryFormatError(at, 'truncated entry')
    if (
      keyPrefix === undefined ||
      (keyLength >= prefixLength &&
        buf.compare(keyPrefix, 0, prefixLength, at + 8, at + 8 + prefixLength) === 0)
    )
      yield [buf.toString('utf8', at + 8, keyEnd), buf.subarray(keyEnd, valueEnd)]
    at = valueEnd
  }
}
