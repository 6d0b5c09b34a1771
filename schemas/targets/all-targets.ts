import { AUGMENTATION_TARGETS } from './augmentation-targets.js'
import { FACEBOOK_TARGETS } from './facebook-targets.js'
import { FOURSQUARE_TARGETS } from './foursquare-targets.js'
import { INTERACTION_TARGETS } from './interaction-targets.js'
import { REDDIT_TARGETS } from './reddit-targets.js'
import type { TargetDef } from './target-def.js'
import { TWITTER_TARGETS } from './twitter-targets.js'

/**
 * The interaction schema as data: every target Sluice fills, in a stable order (the column
 * order of every derived shape). The single source of the TypeScript type, the Arrow schema,
 * the CSDL target catalog and the JSON codec.
 */
export const TARGETS = [
  ...INTERACTION_TARGETS,
  ...TWITTER_TARGETS,
  ...AUGMENTATION_TARGETS,
  ...REDDIT_TARGETS,
  ...FACEBOOK_TARGETS,
  ...FOURSQUARE_TARGETS,
] as const satisfies readonly TargetDef[]

/** The literal union of every target path. */
export type TargetPath = (typeof TARGETS)[number]['path']

const BY_PATH: ReadonlyMap<string, TargetDef> = new Map(TARGETS.map((t) => [t.path, t]))

/**
 * Looks a target up by its dotted path, case-sensitively (CSDL lower-cases paths before asking).
 *
 * @example findTarget('language.tag')?.type // 'string'
 */
export function findTarget(path: string): TargetDef | undefined {
  return BY_PATH.get(path)
}
