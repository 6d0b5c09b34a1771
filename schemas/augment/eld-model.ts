import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { runInNewContext } from 'node:vm'

/*
 * The n-gram database of ELD (Nito-ELD, `eld` on npm, Apache-2.0, by Nito T.M.), loaded from the
 * installed package into a compact form for `eld-detector.ts`.
 *
 * Why not `import { eld } from 'eld/large'`: ELD keeps its 245k n-grams as one object of small
 * objects, walked with for-in; detection plus its confidence scores cost ~62 µs per tweet and the
 * module pins ~390 MB of RSS for the life of the process. Packed into one Int32Array and a
 * Map of offsets, the same data gives the same verdicts in ~12 µs and far less memory (see
 * bench/normalize and the detector's equivalence test against the package itself).
 *
 * The package exports only its ready-made instances, so the data files are read from the
 * installed package directory and evaluated in an empty VM context (they are plain literals).
 */

/** The loaded model: per n-gram the packed (language, score) pairs, plus per-language data. */
export interface EldModel {
  /** ISO 639-1 code of each language index. */
  readonly languages: readonly string[]
  /** Average scaled score of a correct detection, per language index (ELD's reliability bar). */
  readonly averageScores: Float64Array
  /** n-gram key (see `gramKey`) → offset * INDEX_SLOTS + count into `pairs`. */
  readonly index: GramIndex
  /** Packed pairs: (score << 8) | language, scores already offset by ELD's base score. */
  readonly pairs: Int32Array
  /** UTF-8 byte (0x80–0xFF) → the character code ELD stands it in with (its `dictionary`). */
  readonly byteCodes: Uint8Array
  /** ELD's word separator pattern (everything but BMP letters, keeping apostrophes). */
  readonly separators: RegExp
}

/** Which of ELD's database sizes to load: `large` is the most accurate and the default. */
export type EldDatabase = 'large' | 'medium' | 'small' | 'extrasmall'

// ELD subtracts this from every stored score to shrink its database; detection adds it back.
const BASE_NGRAM_SCORE = 53

// Pairs pack the language index in the low 8 bits, so at most 256 languages fit.
export const LANGUAGE_BITS = 8
const LANGUAGE_MASK = (1 << LANGUAGE_BITS) - 1

/** An index entry is offset * INDEX_SLOTS + count; an n-gram occurs in at most 256 languages. */
export const INDEX_SLOTS = 256

/*
 * ELD's n-grams are strings of 3 to 6 characters, each code below 256 (UTF-8 bytes spelled with
 * its dictionary, plus a space marking a word's start or end). Each becomes two small integers:
 * `lo` = length | c0 << 3 | c1 << 11 | c2 << 19 and `hi` = c3 | c4 << 8 | c5 << 16 (absent
 * characters are 0). Both stay below 2^31, so detection computes and compares keys without
 * allocating, and the index is an open-addressing table over typed arrays instead of a Map of
 * 245k string keys.
 */
export const MAX_GRAM_CHARS = 6

/** The (lo, hi) key of an n-gram string; undefined when it cannot occur in an ELD model. */
export function gramKey(gram: string): readonly [number, number] | undefined {
  if (gram.length === 0 || gram.length > MAX_GRAM_CHARS) return undefined
  let lo = gram.length
  let hi = 0
  for (let i = 0; i < gram.length; i++) {
    const c = gram.charCodeAt(i)
    if (c > 0xff) return undefined
    if (i < 3) lo |= c << (3 + 8 * i)
    else hi |= c << (8 * (i - 3))
  }
  return [lo, hi]
}

/** Slot of a key in a table of `mask + 1` slots (a power of two). */
export function gramSlot(lo: number, hi: number, mask: number): number {
  return (Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) >>> 7) & mask
}

/**
 * n-gram key → entry, by linear probing over one Int32Array of (lo, hi, entry) triples, so a
 * probe touches one cache line. A slot is empty when its `lo` is 0 (every key has a non-zero
 * length in its low bits). An entry is offset * INDEX_SLOTS + count into `pairs`.
 */
export interface GramIndex {
  readonly mask: number
  readonly slots: Int32Array
}

const SLOT_WIDTH = 3

/** The entry of a key, or -1. */
export function lookupGram(index: GramIndex, lo: number, hi: number): number {
  const { slots, mask } = index
  let slot = gramSlot(lo, hi, mask)
  for (;;) {
    const at = slot * SLOT_WIDTH
    const k = slots[at] ?? 0
    if (k === 0) return -1
    if (k === lo && slots[at + 1] === hi) return slots[at + 2] ?? -1
    slot = (slot + 1) & mask
  }
}

function createGramIndex(size: number): GramIndex {
  // Load factor at most 1/2 keeps probe sequences short.
  let capacity = 1
  while (capacity < size * 2) capacity *= 2
  return { mask: capacity - 1, slots: new Int32Array(capacity * SLOT_WIDTH) }
}

function insertGram(index: GramIndex, lo: number, hi: number, entry: number): void {
  const { slots, mask } = index
  let slot = gramSlot(lo, hi, mask)
  while ((slots[slot * SLOT_WIDTH] ?? 0) !== 0) {
    if (slots[slot * SLOT_WIDTH] === lo && slots[slot * SLOT_WIDTH + 1] === hi)
      throw new Error('duplicate n-gram key')
    slot = (slot + 1) & mask
  }
  slots[slot * SLOT_WIDTH] = lo
  slots[slot * SLOT_WIDTH + 1] = hi
  slots[slot * SLOT_WIDTH + 2] = entry
}

export class EldModelError extends Error {
  override readonly name = 'EldModelError'
  constructor(
    message: string,
    readonly file: string | undefined,
  ) {
    super(message)
  }
}

function eldSourceDir(): string {
  const require = createRequire(import.meta.url)
  for (const dir of require.resolve.paths('eld') ?? []) {
    const candidate = join(dir, 'eld', 'src')
    if (existsSync(join(candidate, 'languageDetector.js'))) return candidate
  }
  throw new EldModelError('the eld package is not installed (npm ci installs it)', undefined)
}

/** Evaluates `export const NAME = <literal>` from an ELD data file. */
function readLiteral(dir: string, file: string): unknown {
  const path = join(dir, file)
  const text = readFileSync(path, 'utf8')
  const m = /export\s+const\s+\w+\s*=/.exec(text)
  if (m === null) throw new EldModelError('unexpected layout: no exported constant', path)
  const literal = text
    .slice(m.index + m[0].length)
    .trim()
    .replace(/;\s*$/, '')
  return runInNewContext(`(${literal})`, Object.create(null) as object, { filename: path })
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null
}

function byteCodesOf(dictionary: readonly unknown[], dir: string): Uint8Array {
  if (dictionary.length !== 256)
    throw new EldModelError(`dictionary has ${dictionary.length} entries, expected 256`, dir)
  return Uint8Array.from(dictionary, (ch) => {
    if (typeof ch !== 'string' || ch.length !== 1 || ch.charCodeAt(0) > 0xff)
      throw new EldModelError(
        `dictionary entry ${JSON.stringify(ch)} is not one Latin-1 character`,
        dir,
      )
    return ch.charCodeAt(0)
  })
}

/**
 * Loads and packs ELD's database. Takes about a second for `large`; call once per process
 * (the language augmenter does so on first use).
 */
export function loadEldModel(database: EldDatabase = 'large'): EldModel {
  const dir = eldSourceDir()
  const data = readLiteral(dir, join('ngrams', `${database}.js`))
  const avg = readLiteral(dir, 'avgScore.js')
  const dictionary = readLiteral(dir, 'dictionary.js')
  const patternsPath = join(dir, 'regexPatterns.js')
  const bmp = /'bmp':\s*'([^']+)'/.exec(readFileSync(patternsPath, 'utf8'))?.[1]
  if (
    !isRecord(data) ||
    !isRecord(data['languages']) ||
    !isRecord(data['ngrams']) ||
    !isRecord(avg) ||
    !Array.isArray(dictionary) ||
    bmp === undefined
  )
    throw new EldModelError('unexpected layout of the ELD data files', dir)

  const codes = data['languages']
  const languages: string[] = []
  for (const [i, code] of Object.entries(codes)) languages[Number(i)] = String(code)
  if (languages.length > 1 << LANGUAGE_BITS)
    throw new EldModelError(`too many languages (${languages.length})`, dir)
  const averageScores = new Float64Array(languages.length)
  languages.forEach((code, i) => (averageScores[i] = Number(avg[code] ?? 0)))

  const ngrams = data['ngrams']
  let total = 0
  let keys = 0
  for (const key in ngrams) {
    const entry = ngrams[key]
    if (!isRecord(entry)) continue
    keys++
    for (const _ in entry) total++
  }
  if (total * INDEX_SLOTS > 0x7fffffff)
    throw new EldModelError(`too many n-gram pairs (${total})`, dir)
  const pairs = new Int32Array(total)
  const index = createGramIndex(keys)
  let offset = 0
  for (const key in ngrams) {
    const entry = ngrams[key]
    if (!isRecord(entry)) continue
    const start = offset
    for (const lang in entry)
      pairs[offset++] =
        ((Number(entry[lang]) + BASE_NGRAM_SCORE) << LANGUAGE_BITS) | (Number(lang) & LANGUAGE_MASK)
    const k = gramKey(key)
    if (k === undefined) throw new EldModelError(`unexpected n-gram ${JSON.stringify(key)}`, dir)
    insertGram(index, k[0], k[1], start * INDEX_SLOTS + (offset - start))
  }
  return {
    languages,
    averageScores,
    index,
    pairs,
    byteCodes: byteCodesOf(dictionary, dir),
    separators: new RegExp(`[^${bmp}]+(?<![\\x27\\x60\\u2019])`, 'gu'),
  }
}
