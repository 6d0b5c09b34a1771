import { createRequire } from 'node:module'
import { isJsWhitespace } from '../text/js-whitespace.js'

/*
 * The scoring of the `sentiment` package (MIT, Andrew Sliwinski): AFINN-165 word scores plus
 * the Emoji Sentiment Ranking, summed over the text's tokens, a token's score negated when the
 * token before it is a negator ("not good"). Its analyze() tokenizes with four regex passes and
 * builds six result arrays per call (~10 µs per tweet, a fifth of the normalize budget); this
 * scorer reads the same word lists from the installed package and scores in one pass over the
 * characters. Scores are identical (tested on every real text in ../shared/data).
 */

const require = createRequire(import.meta.url)

function numberTable(json: unknown, what: string): ReadonlyMap<string, number> {
  if (typeof json !== 'object' || json === null)
    throw new Error(`sentiment: ${what} is not an object`)
  const table = new Map<string, number>()
  for (const [word, score] of Object.entries(json))
    if (typeof score === 'number') table.set(word, score)
  return table
}

// As the package's language-processor does: AFINN words, then emoji scores merged over them.
const LABELS: ReadonlyMap<string, number> = new Map([
  ...numberTable(require('sentiment/languages/en/labels.json'), 'labels.json'),
  ...numberTable(require('sentiment/build/emoji.json'), 'emoji.json'),
])
const NEGATORS = numberTable(require('sentiment/languages/en/negators.json'), 'negators.json')

// The package's tokenizer turns "\n" and these into spaces: . , / # ! ? $ % ^ & * ; : { } = _ ` " ~ ( )
const SEPARATOR = new Uint8Array(128)
for (const ch of ' \n.,/#!?$%^&*;:{}=_`"~()') SEPARATOR[ch.charCodeAt(0)] = 1

/**
 * The AFINN score of a text, exactly as `new Sentiment().analyze(text).score` computes it.
 *
 * Token boundaries follow the package: separators and newlines split; a run of two or more
 * whitespace characters splits; a lone tab or other non-space whitespace stays inside a token.
 *
 * @example afinnScore('not bad at all') // 3
 */
export function afinnScore(text: string): number {
  const s = text.toLowerCase()
  let score = 0
  let prev = ''
  let start = -1 // start of the current token, -1 when between tokens
  let i = 0
  const n = s.length
  while (i < n) {
    const c = s.charCodeAt(i)
    const sep = c < 128 && SEPARATOR[c] === 1
    if (!sep && !isJsWhitespace(c)) {
      if (start < 0) start = i
      i++
      continue
    }
    // A run of separators/whitespace: it splits unless it is one whitespace char between letters.
    let j = i + 1
    let splits = sep
    while (j < n) {
      const d = s.charCodeAt(j)
      const dSep = d < 128 && SEPARATOR[d] === 1
      if (!dSep && !isJsWhitespace(d)) break
      splits = true
      j++
    }
    if (!splits && start >= 0 && j < n) {
      i = j // a lone tab-like character inside a token
      continue
    }
    if (start >= 0) {
      const token = s.slice(start, i)
      const value = LABELS.get(token)
      if (value !== undefined) score += NEGATORS.has(prev) ? -value : value
      prev = token
      start = -1
    }
    i = j
  }
  if (start >= 0) {
    const token = s.slice(start, n)
    const value = LABELS.get(token)
    if (value !== undefined) score += NEGATORS.has(prev) ? -value : value
  }
  return score
}
