import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PhraseIndex } from './phrase-index.js'
import {
  DEFAULT_TOKENIZER,
  foldForTokens,
  tokenize,
  type TokenizerConfig,
} from './text-tokenizer.js'

/** The phrases of `phrases` (by position) whose token sequence occurs in the text. */
function naive(
  phrases: readonly (readonly string[])[],
  text: string,
  config: TokenizerConfig,
): number[] {
  const tokens = tokenize(text, config)
  return phrases.flatMap((p, id) =>
    tokens.some((_, at) => p.length > 0 && p.every((t, k) => tokens[at + k] === t)) ? [id] : [],
  )
}

function scan(
  index: PhraseIndex<number>,
  text: string,
  gen: number,
  config: TokenizerConfig,
): number[] {
  const found: number[] = []
  index.scan(foldForTokens(text, config), gen, (id) => found.push(id))
  return found.sort((a, b) => a - b)
}

describe('PhraseIndex', () => {
  // Few words, so phrases overlap, repeat and share tokens; texts repeat words too.
  const word = fc.constantFrom('the', 'of', 'Cat', 'cat', 'sat', 'mat', 'on', '#', 'x', '日本')
  const text = fc
    .array(fc.oneof(word, fc.constantFrom(' ', ', ', '! ')), { maxLength: 30 })
    .map((ws) => ws.join(' '))
  const phrase = fc
    .array(word, { minLength: 1, maxLength: 3 })
    .map((ws) => tokenize(ws.join(' '), DEFAULT_TOKENIZER))

  it('finds exactly the phrases that occur, once per generation, across re-anchoring and removal', () => {
    fc.assert(
      fc.property(
        fc.array(phrase, { minLength: 1, maxLength: 25 }),
        fc.array(text, { minLength: 1, maxLength: 40 }),
        fc.nat(),
        (phrases, texts, removeSeed) => {
          const index = new PhraseIndex<number>(DEFAULT_TOKENIZER)
          phrases.forEach((p, id) => index.add(id, p))
          const removed = new Set(
            phrases.map((_, id) => id).filter((id) => (id + removeSeed) % 4 === 0),
          )
          for (const id of removed) index.remove(id)
          const live = phrases.map((p, id) => (removed.has(id) ? [] : p))
          // Enough texts to pass the first re-anchoring (after 1,024 texts).
          for (let round = 0; round < Math.ceil(1100 / texts.length); round++)
            texts.forEach((t, k) => {
              const gen = round * texts.length + k
              expect(scan(index, t, gen, DEFAULT_TOKENIZER)).toEqual(
                naive(live, t, DEFAULT_TOKENIZER),
              )
            })
        },
      ),
      { numRuns: 40 },
    )
  })

  it('reports a phrase once per generation however often it occurs', () => {
    const index = new PhraseIndex<string>(DEFAULT_TOKENIZER)
    index.add('cat', ['cat'])
    const found: string[] = []
    index.scan('cat cat', 1, (e) => found.push(e))
    index.scan('cat', 1, (e) => found.push(e))
    index.scan('cat', 2, (e) => found.push(e))
    expect(found).toEqual(['cat', 'cat'])
  })

  it('segments Japanese with ICU', () => {
    const config: TokenizerConfig = { ...DEFAULT_TOKENIZER, language: 'ja' }
    const index = new PhraseIndex<number>(config)
    index.add(0, tokenize('東京', config))
    expect(scan(index, '私は東京に住んでいます', 1, config)).toEqual([0])
    expect(scan(index, '私は大阪に住んでいます', 2, config)).toEqual([])
  })
})
