import type { Interaction } from '../interaction.js'
import { afinnScore } from './afinn-scorer.js'

/*
 * The `sentiment` package's model (AFINN-165 word list plus the Emoji Sentiment Ranking, with
 * negation), scored by afinn-scorer.ts. VADER (vader-sentiment) is tuned for social media but
 * ran at 6.6k tweets/s, far over the firehose budget; wink-sentiment (49k/s) gave the same
 * polarity split on our tweets. AFINN scores English only, so other languages get no sentiment
 * rather than a misleading 0.
 */

// Long texts accumulate unbounded sums; DataSift's scale stayed within about ±20.
const SCORE_LIMIT = 20

function score(text: string): number {
  const s = afinnScore(text)
  return Math.max(-SCORE_LIMIT, Math.min(SCORE_LIMIT, Math.round(s)))
}

/**
 * `salience.content.sentiment` and `salience.title.sentiment` for English posts (by
 * language.tag, so it runs after the language augmenter): the AFINN score, clamped to ±20.
 */
export function sentimentAugmenter(i: Interaction): void {
  if (i.language?.tag !== 'en') return
  const it = i.interaction
  if (it === undefined) return
  const content = it.content !== undefined && it.content !== '' ? score(it.content) : undefined
  const title = it.title !== undefined && it.title !== '' ? score(it.title) : undefined
  if (content === undefined && title === undefined) return
  i.salience = { content: { sentiment: content }, title: { sentiment: title } }
}
