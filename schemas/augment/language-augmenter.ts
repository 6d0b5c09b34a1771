import type { Interaction } from '../interaction.js'
import { createEldDetector, type EldDetector } from './eld-detector.js'
import { loadEldModel } from './eld-model.js'

/*
 * ELD (Nito-ELD, Apache-2.0) with its large n-gram database, 60 languages. On the real tweets
 * of ../shared/data it agreed with Twitter's own `lang` on 96% of tweets, against 92% for CLD2
 * (native), 89% for tinyld and 81% for franc-min. ELD's own detect() was the bottleneck of the
 * normalize path (~62 µs/tweet), so its algorithm runs here over a packed copy of its data
 * (eld-detector.ts, ~12 µs/tweet, same verdicts).
 */

let detector: EldDetector | undefined

/** The process-wide detector, loading ELD's model on first use (about a second). */
function sharedDetector(): EldDetector {
  detector ??= createEldDetector(loadEldModel('large'))
  return detector
}

/*
 * ELD reports scaled scores, not probabilities. language.confidence maps the reliability flag
 * and the relative margin between the best and the runner-up score onto how often the verdict
 * agreed with Twitter's own `lang` on the 47k labelled tweets of ../shared/data: reliable with
 * margin < 0.05: 77%; 0.05–0.10: 92%; above: 98–99.6%; unreliable: 46% below 0.05, 67% at
 * 0.05–0.10, 75–89% above. Points are (margin, confidence), interpolated linearly; the
 * augmenter's test re-checks the calibration on the real data.
 */
const RELIABLE_CURVE: readonly (readonly [number, number])[] = [
  [0, 72],
  [0.05, 88],
  [0.1, 97],
  [0.15, 99],
]
const UNRELIABLE_CURVE: readonly (readonly [number, number])[] = [
  [0, 45],
  [0.05, 65],
  [0.1, 75],
  [0.3, 80],
]

function interpolate(curve: readonly (readonly [number, number])[], x: number): number {
  let prev = curve[0] ?? [0, 0]
  if (x <= prev[0]) return prev[1]
  for (const point of curve) {
    if (x <= point[0])
      return prev[1] + ((x - prev[0]) / (point[0] - prev[0])) * (point[1] - prev[1])
    prev = point
  }
  return prev[1]
}

/** language.confidence (0–100) from ELD's reliability verdict and score margin. */
export function languageConfidence(reliable: boolean, margin: number): number {
  return Math.round(interpolate(reliable ? RELIABLE_CURVE : UNRELIABLE_CURVE, margin))
}

/**
 * `language.tag` (ISO 639-1) and `language.confidence` detected from the post's text:
 * interaction.content, else the title. Nothing is set when no language can be told (emoji only,
 * empty text).
 */
export function languageAugmenter(i: Interaction): void {
  const it = i.interaction
  if (it === undefined) return
  const text = it.content !== undefined && it.content !== '' ? it.content : it.title
  if (text === undefined || text === '') return
  const verdict = sharedDetector().detect(text)
  if (verdict === undefined) return
  const margin = verdict.score > 0 ? (verdict.score - verdict.runnerUpScore) / verdict.score : 0
  i.language = { tag: verdict.language, confidence: languageConfidence(verdict.reliable, margin) }
}
