import type { TARGETS } from './targets/all-targets.js'
import type { TargetDef, TargetValue } from './targets/target-def.js'

/*
 * The TypeScript shape of an interaction, derived from TARGETS at the type level: each dotted
 * path becomes nested optional properties, each leaf the value type of its target. A typo in a
 * normalizer's object literal is therefore a compile error, and the type can never drift from
 * the schema.
 */

interface PathEntry {
  readonly rest: string
  readonly def: TargetDef
}

type HeadOf<P extends string> = P extends `${infer H}.${string}` ? H : P

type LeafAt<E, H extends string> = E extends { rest: H; def: infer D extends TargetDef }
  ? TargetValue<D>
  : never

type DescendInto<E, H extends string> = E extends { rest: `${H}.${infer R}`; def: infer D }
  ? { rest: R; def: D }
  : never

type TreeOf<E extends PathEntry> = {
  -readonly [H in HeadOf<E['rest']>]?: [LeafAt<E, H>] extends [never]
    ? TreeOf<DescendInto<E, H> & PathEntry> | undefined
    : LeafAt<E, H> | undefined
}

type EntriesOf<D> = D extends TargetDef ? { rest: D['path']; def: D } : never

/**
 * A normalized, augmented social interaction: nested objects keyed by the segments of CSDL target
 * paths (`interaction.author.username` is `i.interaction?.author?.username`). A missing or
 * `undefined` leaf means the target is absent (csdl.md §3.2).
 *
 * @example
 * const i: Interaction = { interaction: { type: 'reddit', content: 'hello' } }
 */
export type Interaction = TreeOf<EntriesOf<(typeof TARGETS)[number]>>
