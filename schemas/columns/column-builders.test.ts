import { describe, expect, it } from 'vitest'
import type { TargetDef } from '../targets/target-def.js'
import { findTarget } from '../targets/all-targets.js'
import { interactionsToArrow, arrowToInteractions } from './interaction-arrow.js'
import type { Interaction } from '../interaction.js'

const def = (path: string): TargetDef => {
  const d = findTarget(path)
  if (d === undefined) throw new Error(path)
  return d
}

describe('Arrow columns built from interactions', () => {
  const targets = [
    def('interaction.id'),
    def('interaction.created_at'),
    def('interaction.hashtags'),
    def('interaction.geo'),
    def('facebook.author.id'),
    def('twitter.user.followers_count'),
  ]

  it('keeps 64-bit values exact, including negatives and times before 1970', () => {
    const rows = [
      {
        interaction: { id: 'a', created_at: -86_400_123 },
        facebook: { author: { id: -(2n ** 63n) } },
      },
      {
        interaction: { id: 'b', created_at: 8_640_000_000_000 },
        facebook: { author: { id: 2n ** 63n - 1n } },
      },
      {
        interaction: { id: 'c', created_at: 1_580_000_000_123 },
        facebook: { author: { id: 1222944438181335040n } },
      },
    ] as unknown as Interaction[]
    const back = arrowToInteractions(interactionsToArrow(rows, targets))
    expect(back.map((i) => i.interaction?.created_at)).toEqual([
      -86_400_123, 8_640_000_000_000, 1_580_000_000_123,
    ])
    expect(back.map((i) => i.facebook?.author?.id)).toEqual([
      -(2n ** 63n),
      2n ** 63n - 1n,
      1222944438181335040n,
    ])
  })

  it('turns absent branches, nulls and values of the wrong type into nulls, row by row', () => {
    const rows = [
      { interaction: { id: 'é€😀', hashtags: ['x', 'ÿ'], geo: { latitude: 1.5, longitude: -2 } } },
      { twitter: { user: { followers_count: 'many' } } },
      {
        interaction: { id: 7, hashtags: [], geo: { latitude: 'n' } },
        twitter: { user: { followers_count: 12 } },
      },
      {},
    ] as unknown as Interaction[]
    const table = interactionsToArrow(rows, targets)
    expect(table.numRows).toBe(4)
    const back = arrowToInteractions(table)
    expect(back[0]).toEqual({
      interaction: { id: 'é€😀', hashtags: ['x', 'ÿ'], geo: { latitude: 1.5, longitude: -2 } },
    })
    expect(back[1]).toEqual({})
    expect(back[2]).toEqual({
      interaction: { hashtags: [] },
      twitter: { user: { followers_count: 12 } },
    })
    expect(back[3]).toEqual({})
    expect(table.getChild('interaction.id')?.nullCount).toBe(3)
  })

  it('builds an empty table with every column', () => {
    const table = interactionsToArrow([], targets)
    expect(table.numRows).toBe(0)
    expect(table.schema.fields.map((f) => f.name)).toEqual(targets.map((t) => t.path))
  })
})
