import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DedupWindow } from './dedup-window.js'

describe('DedupWindow', () => {
  it('remembers ids within the window and forgets them after it', () => {
    const w = new DedupWindow(1000, 100)
    w.record('1222944438181335040', 0)
    expect(w.has('1222944438181335040', 999)).toBe(true)
    expect(w.has('1222944438181335041', 999)).toBe(false)
    expect(w.has('1222944438181335040', 1001)).toBe(false)
    w.record('1222944438181335040', 1001)
    expect(w.has('1222944438181335040', 1500)).toBe(true)
  })

  it('behaves like "the last N distinct ids" under any sequence of records', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.integer({ min: 0, max: 120 }), { maxLength: 400 }),
        (capacity, ids) => {
          const w = new DedupWindow(Infinity, capacity)
          const model: string[] = []
          for (const n of ids) {
            const id = `id-${n}`
            expect(w.has(id, 0)).toBe(model.includes(id))
            if (!model.includes(id)) {
              model.push(id)
              if (model.length > capacity) model.shift()
            }
            w.record(id, 0)
            expect(w.size).toBe(model.length)
          }
          for (let n = 0; n <= 120; n++) expect(w.has(`id-${n}`, 0)).toBe(model.includes(`id-${n}`))
        },
      ),
    )
  })

  it('holds a million ids', () => {
    const w = new DedupWindow(Infinity, 1_000_000)
    for (let i = 0; i < 1_200_000; i++) w.record(String(1e18 + i * 7919), 0)
    expect(w.size).toBe(1_000_000)
    expect(w.has(String(1e18 + 1_199_999 * 7919), 0)).toBe(true)
    expect(w.has(String(1e18 + 100 * 7919), 0)).toBe(false)
  })
})
