/*
 * Rough prior probabilities that a predicate holds on a random interaction. They only steer
 * which condition a filter is indexed under (the rarer the better); wrong guesses cost speed,
 * never correctness.
 */

// Targets absent from most interactions (rates seen on the real corpus in ../shared/data).
const SPARSE: readonly (readonly [RegExp, number])[] = [
  [/\.geo$/, 0.02],
  [/^twitter\.(retweeted\.)?place\./, 0.04],
  [/^twitter\.quoted\./, 0.02],
  [/^twitter\.(retweet|retweeted)\./, 0.05],
  [/^twitter\.media\./, 0.1],
  [/^(reddit|facebook|foursquare|tumblr|wordpress|youtube|bitly|instagram)\./, 0.05],
  [/^links\./, 0.4],
  [/^interaction\.title$/, 0.1],
  [/^twitter\.in_reply_to_/, 0.3],
  [/^demographic\./, 0.4],
  [/^klout\.|^trends\.|^salience\.title\./, 0.01],
]

/** Probability that a target is present. */
export function presenceProbability(path: string): number {
  for (const [pattern, p] of SPARSE) if (pattern.test(path)) return p
  return 0.9
}

// Targets with few distinct values: equality on them is not selective.
const LOW_CARDINALITY =
  /^(language\.tag|twitter\.lang|twitter\.(retweet|quoted)\.lang|interaction\.(type|subtype)|demographic\.gender|twitter\.user\.(lang|verified|time_zone)|.*\.country_code|.*\.country|.*\.place_type|reddit\.type|facebook\.type|interaction\.source|twitter\.source)$/

/** Probability that a target equals one given value. */
export function valueProbability(path: string): number {
  return presenceProbability(path) * (LOW_CARDINALITY.test(path) ? 0.2 : 0.001)
}

/** Probability that a text target contains one given phrase. */
export function phraseProbability(path: string, tokens: readonly string[]): number {
  const longest = tokens.reduce((m, t) => Math.max(m, t.length), 0)
  // One- and two-letter words and lone punctuation are everywhere.
  const base = longest <= 2 ? 0.2 : longest <= 4 ? 0.02 : 0.005
  return presenceProbability(path) * base
}

/** Probability that a text target contains a given substring. */
export function substringProbability(path: string, text: string): number {
  return presenceProbability(path) * (text.length <= 2 ? 0.5 : text.length <= 4 ? 0.1 : 0.02)
}

/** The probability that at least one of several independent alternatives holds. */
export function anyOf(probabilities: Iterable<number>): number {
  let none = 1
  for (const p of probabilities) none *= 1 - Math.min(1, Math.max(0, p))
  return 1 - none
}
