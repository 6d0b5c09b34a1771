import type { Interaction } from '../interaction.js'

/**
 * One augmentation step: reads what normalization (and earlier steps) filled and adds derived
 * targets in place. Deterministic and local: the same interaction always gets the same result,
 * and no step touches the network.
 */
export type Augmenter = (interaction: Interaction) => void
