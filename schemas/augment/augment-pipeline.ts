import type { Interaction } from '../interaction.js'
import type { Augmenter } from './augmenter.js'
import { genderAugmenter } from './gender-augmenter.js'
import { languageAugmenter } from './language-augmenter.js'
import { linksAugmenter } from './links-augmenter.js'
import { sentimentAugmenter } from './sentiment-augmenter.js'
import { textEntitiesAugmenter } from './text-entities-augmenter.js'

/**
 * The augmenters in the order they depend on each other: entities before links (which read
 * links.url) and language (which reads content); language before sentiment and gender.
 */
export const DEFAULT_AUGMENTERS: readonly Augmenter[] = [
  textEntitiesAugmenter,
  linksAugmenter,
  languageAugmenter,
  sentimentAugmenter,
  genderAugmenter,
]

/**
 * Runs augmenters over one interaction in place and returns it.
 *
 * @example augment(interaction).language?.tag
 */
export function augment(
  interaction: Interaction,
  augmenters: readonly Augmenter[] = DEFAULT_AUGMENTERS,
): Interaction {
  for (const step of augmenters) step(interaction)
  return interaction
}

/**
 * Loads what the augmenters load on first use (the language model: ~3 s), now: a process that
 * serves requests calls it before it listens, so the first interaction does not stall it.
 */
export function warmAugmenters(): void {
  augment({
    interaction: { content: 'Sluice warms its language model with this sentence.' },
  })
}
