import { describe, expect, it } from 'vitest'
import { normalizeLine } from '../schemas/index.js'
import { scanSourceId } from './source-id-scanner.js'
import { SyntheticFirehose } from './synthetic-firehose.js'

const clock = (): (() => number) => {
  let t = Date.UTC(2026, 10, 22, 9, 0, 0)
  return () => (t += 7)
}

describe('SyntheticFirehose', () => {
  it('gives the same lines for the same seed and clock, other lines for another seed', () => {
    const take = (seed: number) => {
      const f = new SyntheticFirehose({
        seed,
        now: clock(),
        duplicateRate: 0.1,
        malformedRate: 0.05,
      })
      return Array.from({ length: 200 }, () => f.next().line)
    }
    expect(take(7)).toEqual(take(7))
    expect(take(8)).not.toEqual(take(7))
  })

  it('writes records that the real normalizers read, with the asked shares of duplicates and junk', () => {
    const f = new SyntheticFirehose({
      seed: 3,
      now: clock(),
      duplicateRate: 0.05,
      malformedRate: 0.01,
    })
    const kinds = { record: 0, duplicate: 0, malformed: 0 }
    const formats = new Map<string, number>()
    let retweets = 0
    let geo = 0
    const ids = new Set<string>()
    for (let i = 0; i < 5000; i++) {
      const { source, line, kind } = f.next()
      kinds[kind]++
      const outcome = normalizeLine(line, source)
      if (kind === 'malformed') {
        expect(outcome.kind, line).not.toBe('interactions')
        continue
      }
      expect(outcome.kind, line).toBe('interactions')
      if (outcome.kind !== 'interactions') continue
      expect(outcome.rejected).toEqual([])
      formats.set(source, (formats.get(source) ?? 0) + 1)
      const id = scanSourceId(Buffer.from(line)) ?? ''
      if (kind === 'record') {
        expect(ids.has(id)).toBe(false)
        ids.add(id)
      } else expect(ids.has(id)).toBe(true)
      const i2 = outcome.interactions[0]
      if (i2 === undefined) continue
      if (i2.twitter?.retweeted?.id !== undefined) retweets++
      if (i2.interaction?.geo !== undefined) geo++
    }
    expect(kinds.duplicate / 5000).toBeGreaterThan(0.03)
    expect(kinds.duplicate / 5000).toBeLessThan(0.07)
    expect(kinds.malformed / 5000).toBeGreaterThan(0.005)
    expect(kinds.malformed / 5000).toBeLessThan(0.02)
    expect(formats.get('twitter-v1')).toBeGreaterThan(2000)
    expect(formats.get('reddit')).toBeGreaterThan(2000)
    expect(retweets).toBeGreaterThan(200)
    expect(geo).toBeGreaterThan(100)
  })
})
