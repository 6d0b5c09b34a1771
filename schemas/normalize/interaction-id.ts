import { hash } from 'node:crypto'
import type { InteractionType } from '../targets/target-def.js'

/**
 * The deterministic `interaction.id` of a source record: 32 lower-case hex digits, the MD5 of
 * "<type>:<source id>". The same post seen twice (overlapping connections, two formats of one
 * tweet) gets the same id, which is what de-duplication keys on.
 *
 * @example interactionId('twitter', '887453193294282752')
 */
export function interactionId(type: InteractionType, sourceId: string): string {
  // One-shot crypto.hash: half the cost of createHash().update().digest() for short input.
  return hash('md5', `${type}:${sourceId}`, 'hex')
}

// Six decimals resolve one interaction in 10^8; more digits only cost bytes in every output.
const SAMPLE_RESOLUTION = 1e6

/**
 * `interaction.sample`: a uniform value in [0, 100) taken from the first 32 bits of the id, so
 * a sampled stream (`interaction.sample < 10`) picks the same interactions on every replay.
 */
export function sampleOf(id: string): number {
  const u = Number.parseInt(id.slice(0, 8), 16) / 0x1_0000_0000
  return Math.floor(u * 100 * SAMPLE_RESOLUTION) / SAMPLE_RESOLUTION
}
