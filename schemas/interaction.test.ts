import { describe, expectTypeOf, it } from 'vitest'
import type { Interaction } from './interaction.js'
import type { GeoPoint } from './targets/target-def.js'

// Compile-time checks (enforced by `tsc` in the test command): the TypeScript shape follows the
// schema's paths and types.
describe('the Interaction type derived from the schema', () => {
  it('nests targets by path segment with the value type of the target', () => {
    type I = Required<Interaction>
    expectTypeOf<NonNullable<I['interaction']>['content']>().toEqualTypeOf<string | undefined>()
    expectTypeOf<NonNullable<I['interaction']>['geo']>().toEqualTypeOf<GeoPoint | undefined>()
    expectTypeOf<NonNullable<I['interaction']>['created_at']>().toEqualTypeOf<number | undefined>()
    expectTypeOf<NonNullable<NonNullable<I['twitter']>['user']>['id']>().toEqualTypeOf<
      bigint | undefined
    >()
    expectTypeOf<NonNullable<I['twitter']>['mention_ids']>().toEqualTypeOf<
      readonly bigint[] | undefined
    >()
    expectTypeOf<NonNullable<I['reddit']>['over_18']>().toEqualTypeOf<boolean | undefined>()
    expectTypeOf<NonNullable<NonNullable<I['links']>>['domain']>().toEqualTypeOf<
      readonly string[] | undefined
    >()
  })

  it('rejects paths that are not targets', () => {
    // @ts-expect-error -- not a target
    const wrong: Interaction = { interaction: { contnet: 'x' } }
    expectTypeOf(wrong).toEqualTypeOf<Interaction>()
  })
})
