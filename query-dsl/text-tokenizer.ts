/*
 * CSDL tokenisation (csdl.md §3.4): whitespace ends a word and is dropped; punctuation ends a
 * word and becomes a one-character token; everything else accumulates into words. Both the
 * target text and the operator's argument go through the same tokenizer, so matching is on
 * token sequences, never substrings.
 */

/** Which characters are kept as tokens (csdl.md §2.8 `[keep(…)]` / `[drop(…)]`). */
export type PunctuationMode =
  | { readonly kind: 'default' }
  | { readonly kind: 'classic' }
  | { readonly kind: 'extended' }
  | { readonly kind: 'keep'; readonly categories: readonly string[] }
  | { readonly kind: 'drop'; readonly categories: readonly string[] }

/** Unicode general categories `[keep(…)]`/`[drop(…)]` may name. */
export const PUNCTUATION_CATEGORIES = [
  'Pc',
  'Pd',
  'Ps',
  'Pe',
  'Pi',
  'Pf',
  'Po',
  'Sm',
  'Sc',
  'Sk',
  'So',
] as const

export interface TokenizerConfig {
  readonly caseSensitive: boolean
  readonly punctuation: PunctuationMode
  /** `ja` segments words with ICU (Intl.Segmenter) before matching (csdl.md §2.8). */
  readonly language: 'none' | 'ja'
}

export const DEFAULT_TOKENIZER: TokenizerConfig = {
  caseSensitive: false,
  punctuation: { kind: 'default' },
  language: 'none',
}

/** A stable key of a configuration: equal keys tokenize identically (used to share work). */
export function tokenizerKey(c: TokenizerConfig): string {
  const p = c.punctuation
  const punct =
    p.kind === 'keep' || p.kind === 'drop'
      ? `${p.kind}(${[...p.categories].sort().join(',')})`
      : p.kind
  return `${c.caseSensitive ? 'cs' : 'ci'}|${punct}|${c.language}`
}

// Character classes.
const DROP = 0
const KEEP = 1
const WORD = 2
const UNKNOWN = 255

// C ispunct(): every printable ASCII character that is neither a letter, a digit nor a space.
const ASCII_PUNCT = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~')
const WHITESPACE = /\s/u
const CATEGORY_PATTERNS: Readonly<Record<string, RegExp>> = Object.fromEntries(
  PUNCTUATION_CATEGORIES.map((c) => [c, new RegExp(`^\\p{${c}}$`, 'u')]),
)

function categoryOf(ch: string): string | undefined {
  for (const c of PUNCTUATION_CATEGORIES) if (CATEGORY_PATTERNS[c]?.test(ch) === true) return c
  return undefined
}

function classify(mode: PunctuationMode, ch: string): number {
  if (WHITESPACE.test(ch)) return DROP
  const ascii = ch.length === 1 && ch.charCodeAt(0) < 128
  const category = categoryOf(ch)
  const isPunct = ascii ? ASCII_PUNCT.has(ch) : category !== undefined && category.startsWith('P')
  switch (mode.kind) {
    case 'default':
      return isPunct ? KEEP : WORD
    case 'classic':
      // Only ASCII punctuation is a token; other punctuation separates words and is dropped.
      return ascii
        ? isPunct
          ? KEEP
          : WORD
        : category !== undefined && category.startsWith('P')
          ? DROP
          : WORD
    case 'extended':
      return isPunct || (category !== undefined && category.startsWith('S')) ? KEEP : WORD
    case 'keep':
      if (category !== undefined && mode.categories.includes(category)) return KEEP
      return isPunct ? DROP : WORD
    case 'drop':
      if (category !== undefined && mode.categories.includes(category)) return DROP
      return isPunct ? KEEP : WORD
  }
}

/** Per-mode classification of BMP code units, filled on first sight of each character. */
const tables = new Map<string, Uint8Array>()
// The same mode object comes back for every text of a view: skip building its key.
const tablesByMode = new WeakMap<PunctuationMode, Uint8Array>()

function tableFor(mode: PunctuationMode): Uint8Array {
  const known = tablesByMode.get(mode)
  if (known !== undefined) return known
  const key = tokenizerKey({ caseSensitive: false, punctuation: mode, language: 'none' })
  let t = tables.get(key)
  if (t === undefined) {
    t = new Uint8Array(0x10000).fill(UNKNOWN)
    tables.set(key, t)
  }
  tablesByMode.set(mode, t)
  return t
}

let segmenter: Intl.Segmenter | undefined

function segmentJapanese(text: string): string[] {
  segmenter ??= new Intl.Segmenter('ja', { granularity: 'word' })
  const out: string[] = []
  for (const s of segmenter.segment(text)) {
    const piece = s.segment.trim()
    if (piece !== '') out.push(piece)
  }
  return out
}

/**
 * Where the tokens of a text are: token k is `text.slice(starts[k], ends[k])`. Reused between
 * texts so the hot path of the shared plan allocates no token strings.
 */
export class TokenSpans {
  starts = new Int32Array(64)
  ends = new Int32Array(64)
  count = 0

  push(start: number, end: number): void {
    if (this.count === this.starts.length) {
      const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
        const next = new Int32Array(a.length * 2)
        next.set(a)
        return next
      }
      this.starts = grow(this.starts)
      this.ends = grow(this.ends)
    }
    this.starts[this.count] = start
    this.ends[this.count] = end
    this.count++
  }
}

/** The text tokens are taken from: case-folded unless the configuration is case-sensitive. */
export function foldForTokens(text: string, config: TokenizerConfig): string {
  return config.caseSensitive ? text : text.toLowerCase()
}

/**
 * Finds the tokens of an already folded text (see foldForTokens) per csdl.md §3.4, into
 * `spans` (cleared first). Not for `[language(ja)]`, which segments with ICU: use tokenize.
 */
export function scanTokens(s: string, punctuation: PunctuationMode, spans: TokenSpans): void {
  spans.count = 0
  const table = tableFor(punctuation)
  let wordStart = -1
  const n = s.length
  for (let i = 0; i < n; i++) {
    const code = s.charCodeAt(i)
    let cls: number
    let width = 1
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < n) {
      // Astral characters (emoji, historic scripts) are word characters, except astral
      // symbols under [keep(extended)] and categories named in keep/drop.
      width = 2
      cls =
        punctuation.kind === 'default' || punctuation.kind === 'classic'
          ? WORD
          : classify(punctuation, s.slice(i, i + 2))
    } else {
      cls = table[code] ?? UNKNOWN
      if (cls === UNKNOWN) {
        cls = classify(punctuation, s[i] ?? '')
        table[code] = cls
      }
    }
    if (cls === WORD) {
      if (wordStart < 0) wordStart = i
    } else {
      if (wordStart >= 0) {
        spans.push(wordStart, i)
        wordStart = -1
      }
      if (cls === KEEP) spans.push(i, i + width)
    }
    i += width - 1
  }
  if (wordStart >= 0) spans.push(wordStart, n)
}

const scratch = new TokenSpans()

/**
 * Tokenizes text per csdl.md §3.4, folding case unless `caseSensitive`.
 *
 * @example tokenize('Yes,   we can!', DEFAULT_TOKENIZER) // ['yes', ',', 'we', 'can', '!']
 * @example tokenize('#sunset self-driving', DEFAULT_TOKENIZER) // ['#', 'sunset', 'self', '-', 'driving']
 */
export function tokenize(text: string, config: TokenizerConfig): string[] {
  const s = foldForTokens(text, config)
  if (config.language === 'ja') return segmentJapanese(s)
  scanTokens(s, config.punctuation, scratch)
  const tokens = new Array<string>(scratch.count)
  for (let k = 0; k < scratch.count; k++)
    tokens[k] = s.slice(scratch.starts[k] ?? 0, scratch.ends[k] ?? 0)
  return tokens
}

const punctuationTokens = new Map<string, boolean>()

/** True for a one-character punctuation token (it occupies no word position in contains_near). */
export function isPunctuationToken(token: string): boolean {
  if (token.length > 2) return false
  let p = punctuationTokens.get(token)
  if (p === undefined) {
    p = ASCII_PUNCT.has(token) || /^[\p{P}\p{S}]$/u.test(token)
    punctuationTokens.set(token, p)
  }
  return p
}
