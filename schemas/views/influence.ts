import { HyperLogLog } from './hyperloglog.js'
import { fromJsonBytes, jsonBytes, type Monoid } from './monoid.js'

/** What an author's interactions earned over a bucket (BackType's influence statistics). */
export interface AuthorInfluence {
  interactions: number
  retweetsReceived: number
  repliesReceived: number
  /** The largest audience seen (followers), a max rather than a sum: the same people. */
  reach: number
}

export const AUTHOR_INFLUENCE: Monoid<AuthorInfluence, AuthorInfluence> = {
  name: 'author-influence',
  empty: () => ({ interactions: 0, retweetsReceived: 0, repliesReceived: 0, reach: 0 }),
  add: (a, item) => AUTHOR_INFLUENCE.merge(a, item),
  merge: (a, b) => {
    a.interactions += b.interactions
    a.retweetsReceived += b.retweetsReceived
    a.repliesReceived += b.repliesReceived
    a.reach = Math.max(a.reach, b.reach)
    return a
  },
  encode: (v) => jsonBytes([v.interactions, v.retweetsReceived, v.repliesReceived, v.reach]),
  decode: (bytes) => {
    const [interactions, retweetsReceived, repliesReceived, reach] = fromJsonBytes(
      bytes,
    ) as number[]
    return {
      interactions: interactions ?? 0,
      retweetsReceived: retweetsReceived ?? 0,
      repliesReceived: repliesReceived ?? 0,
      reach: reach ?? 0,
    }
  },
}

/** What a link domain got over a bucket: links shared and the distinct authors who shared them. */
export interface DomainInfluence {
  links: number
  sharers: HyperLogLog
}

/** Items are the sharers' `hash32`. */
export const DOMAIN_INFLUENCE: Monoid<DomainInfluence, number> = {
  name: 'domain-influence',
  empty: () => ({ links: 0, sharers: new HyperLogLog() }),
  add: (d, sharer) => {
    d.links++
    d.sharers.addHash(sharer)
    return d
  },
  merge: (a, b) => {
    a.links += b.links
    a.sharers.mergeFrom(b.sharers)
    return a
  },
  encode: (d) => {
    const sketch = d.sharers.toBytes()
    const out = new Uint8Array(8 + sketch.length)
    new DataView(out.buffer).setFloat64(0, d.links)
    out.set(sketch, 8)
    return out
  },
  decode: (bytes) => ({
    links: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getFloat64(0),
    sharers: HyperLogLog.fromBytes(bytes.subarray(8)),
  }),
}
