import { describe, expect, it } from 'vitest'
import { validateInteraction } from './validate-interaction.js'

describe('validateInteraction', () => {
  it('accepts a well-formed interaction', () => {
    expect(
      validateInteraction({
        interaction: {
          id: 'ab',
          created_at: 1,
          geo: { latitude: 1, longitude: 2 },
          hashtags: ['x'],
        },
        twitter: { user: { id: 5n, followers_count: 3, verified: 1 } },
        reddit: { over_18: false },
      }),
    ).toEqual([])
  })

  it('flags wrong types, empty lists, out-of-range values and unknown paths', () => {
    const v = validateInteraction({
      interaction: { id: 5, hashtags: [], geo: { latitude: 1 }, sample: Number.NaN, extra: 'x' },
      twitter: { user: { id: 5, followers_count: 2 ** 40 } },
      reddit: 'x',
    })
    expect(Object.fromEntries(v.map((x) => [x.path, x.reason]))).toEqual({
      'interaction.id': 'expected a string',
      'interaction.hashtags': 'empty list (an absent target must be undefined)',
      'interaction.geo': 'expected { latitude: -90..90, longitude: -180..180 }',
      'interaction.sample': 'expected a finite number',
      'interaction.extra': 'not a target of the schema',
      'twitter.user.id': 'expected a 64-bit bigint',
      'twitter.user.followers_count': 'expected a 32-bit integer',
      reddit: 'expected an object',
    })
  })
})
