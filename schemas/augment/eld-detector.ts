import { INDEX_SLOTS, LANGUAGE_BITS, gramSlot, lookupGram, type EldModel } from './eld-model.js'

/*
 * ELD's detection algorithm (languageDetector.js and LanguageResult.js of `eld` 2.1, Apache-2.0,
 * by Nito T.M.), restated over the packed model of eld-model.ts. Languages and scores are
 * identical to `eld.detect()` (tested on every real text in ../shared/data). One deliberate
 * difference: ELD 2.1's isReliable() compares the best score with the runner-up's *language
 * index* (`results[1][0]`) where it means the runner-up's score; here the gap is measured
 * against the score, so near-ties are flagged unreliable as intended. What else changes is
 * only the data layout: words are byte codes in one reused buffer, n-grams are pairs of small
 * integers (eld-model's `gramKey`) deduplicated in a reused open-addressing set, looked up in the
 * model's typed-array index, and scores accumulate in one reused array. Detection allocates
 * nothing per n-gram: no strings, no boxed numbers, no result sorting.
 */

// ELD reads at most this much text, and stops encoding words past these byte counts.
const MAX_TEXT_CHARS = 1000
const CUT_AFTER_BYTES = 350
const ENFORCE_CUT_AFTER_BYTES = 380
// Longest word prefix (in encoded bytes) that yields n-grams.
const MAX_WORD_BYTES = 70
// ELD's scaling of raw scores into 0..1: s / (s + 25), s = raw / number of n-grams.
const SCORE_SCALE = 25
// isReliable(): the best score must reach this share of the language's average score...
const RELIABLE_AVERAGE_RATIO = 0.75
// ...and beat the runner-up by at least this much; and the text must give this many n-grams.
const RELIABLE_MIN_GAP = 0.01
const RELIABLE_MIN_NGRAMS = 3
const SPACE = 0x20
// A word never exceeds the byte cut plus one 4-byte character.
const WORD_BUFFER_BYTES = ENFORCE_CUT_AFTER_BYTES + 8
// At most ~(380 / 3 + words) n-grams per text; 1024 slots keep the per-call set sparse.
const GRAM_SET_SLOTS = 1024

/** A verdict: the language, its scaled score, the runner-up's, and ELD's reliability flag. */
export interface EldVerdict {
  readonly language: string
  readonly score: number
  readonly runnerUpScore: number
  readonly reliable: boolean
}

/** A language detector over one model. Not re-entrant: it reuses its buffers between calls. */
export interface EldDetector {
  detect(text: string): EldVerdict | undefined
}

/**
 * Builds a detector over a loaded model.
 *
 * @example createEldDetector(loadEldModel()).detect('Hola, cómo te llamas?')?.language // 'es'
 */
export function createEldDetector(model: EldModel): EldDetector {
  const { index, pairs, byteCodes, languages, averageScores, separators } = model
  const scores = new Float64Array(languages.length)
  const word = new Uint8Array(WORD_BUFFER_BYTES)
  // The distinct n-grams of the current text: a stamped hash set plus the list in insertion order.
  const setLo = new Int32Array(GRAM_SET_SLOTS)
  const setHi = new Int32Array(GRAM_SET_SLOTS)
  const setStamp = new Int32Array(GRAM_SET_SLOTS)
  const gramLo = new Int32Array(GRAM_SET_SLOTS)
  const gramHi = new Int32Array(GRAM_SET_SLOTS)
  let gramCount = 0
  let stamp = 0
  // Final n-grams of words over MAX_WORD_BYTES are longer than any key: they never score but
  // ELD still counts them (deduplicated) in the number of n-grams.
  const longGrams = new Set<string>()
  const mask = (1 << LANGUAGE_BITS) - 1
  const setMask = GRAM_SET_SLOTS - 1

  function addGram(lo: number, hi: number): void {
    let slot = gramSlot(lo, hi, setMask)
    while (setStamp[slot] === stamp) {
      if (setLo[slot] === lo && setHi[slot] === hi) return
      slot = (slot + 1) & setMask
    }
    setStamp[slot] = stamp
    setLo[slot] = lo
    setHi[slot] = hi
    if (gramCount < GRAM_SET_SLOTS) {
      gramLo[gramCount] = lo
      gramHi[gramCount] = hi
      gramCount++
    }
  }

  /** Adds the n-gram `[space] + word[from, to) + [space]` (see eld-model's key layout). */
  function addKey(leading: boolean, from: number, to: number, trailing: boolean): void {
    let lo = 0
    let hi = 0
    let n = 0
    if (leading) lo |= SPACE << 3
    if (leading) n++
    for (let i = from; i < to; i++, n++) {
      const c = word[i] ?? 0
      if (n < 3) lo |= c << (3 + 8 * n)
      else hi |= c << (8 * (n - 3))
    }
    if (trailing) {
      if (n < 3) lo |= SPACE << (3 + 8 * n)
      else hi |= SPACE << (8 * (n - 3))
      n++
    }
    addGram(lo | n, hi)
  }

  // ELD's getByteNgrams for one word: 4-byte n-grams with a stride of 3, then the word's end.
  function addWord(length: number): void {
    const len = Math.min(length, MAX_WORD_BYTES)
    let j = 0
    for (; j + 4 < len; j += 3) addKey(j === 0, j, j + 4, false)
    const from = Math.max(0, len - 4)
    if (length - from + (j === 0 ? 2 : 1) > 6) {
      let s = j === 0 ? ' ' : ''
      for (let i = from; i < length; i++) s += String.fromCharCode(word[i] ?? 0)
      longGrams.add(`${s} `)
    } else addKey(j === 0, from, length, true)
  }

  // ELD's strToUtf8Bytes: UTF-8 bytes, those above 0x7F spelled with its dictionary, split on spaces.
  function collectGrams(str: string): void {
    stamp++
    gramCount = 0
    longGrams.clear()
    let length = 0
    let bytes = 0
    for (let i = 0; i < str.length; i++) {
      let c = str.charCodeAt(i)
      if (c < 0x80) {
        if (c === SPACE) {
          if (length > 0) addWord(length)
          length = 0
          if (bytes > CUT_AFTER_BYTES) return
        } else word[length++] = c
        bytes++
      } else if (c < 0x800) {
        word[length++] = byteCodes[0xc0 | (c >> 6)] ?? 0
        word[length++] = byteCodes[0x80 | (c & 0x3f)] ?? 0
        bytes += 2
      } else if (c < 0xd800 || c >= 0xe000) {
        word[length++] = byteCodes[0xe0 | (c >> 12)] ?? 0
        word[length++] = byteCodes[0x80 | ((c >> 6) & 0x3f)] ?? 0
        word[length++] = byteCodes[0x80 | (c & 0x3f)] ?? 0
        bytes += 3
      } else {
        i++
        c = 0x10000 + (((c & 0x3ff) << 10) | (str.charCodeAt(i) & 0x3ff))
        word[length++] = byteCodes[0xf0 | (c >> 18)] ?? 0
        word[length++] = byteCodes[0x80 | ((c >> 12) & 0x3f)] ?? 0
        word[length++] = byteCodes[0x80 | ((c >> 6) & 0x3f)] ?? 0
        word[length++] = byteCodes[0x80 | (c & 0x3f)] ?? 0
        bytes += 4
      }
      if (bytes > ENFORCE_CUT_AFTER_BYTES) break
    }
    if (length > 0) addWord(length)
  }

  function scaled(raw: number, n: number): number {
    const s = raw / n
    return s / (s + SCORE_SCALE)
  }

  return {
    detect(text: string): EldVerdict | undefined {
      collectGrams(text.substring(0, MAX_TEXT_CHARS).replace(separators, ' ').trim().toLowerCase())
      scores.fill(0)
      for (let g = 0; g < gramCount; g++) {
        const entry = lookupGram(index, gramLo[g] ?? 0, gramHi[g] ?? 0)
        if (entry < 0) continue
        const start = Math.floor(entry / INDEX_SLOTS)
        const end = start + (entry % INDEX_SLOTS)
        for (let p = start; p < end; p++) {
          const packed = pairs[p] ?? 0
          const lang = packed & mask
          scores[lang] = (scores[lang] ?? 0) + (packed >> LANGUAGE_BITS)
        }
      }
      let best = -1
      let bestRaw = 0
      let secondRaw = 0
      for (let l = 0; l < scores.length; l++) {
        const v = scores[l] ?? 0
        if (v > bestRaw) {
          secondRaw = bestRaw
          bestRaw = v
          best = l
        } else if (v > secondRaw) secondRaw = v
      }
      if (best < 0) return undefined
      const n = gramCount + longGrams.size
      const score = scaled(bestRaw, n)
      const runnerUpScore = secondRaw > 0 ? scaled(secondRaw, n) : 0
      const reliable =
        n >= RELIABLE_MIN_NGRAMS &&
        !(
          (averageScores[best] ?? 0) * RELIABLE_AVERAGE_RATIO > score ||
          RELIABLE_MIN_GAP > Math.abs(score - runnerUpScore)
        )
      return { language: languages[best] ?? '', score, runnerUpScore, reliable }
    },
  }
}
