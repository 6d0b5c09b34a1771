import { setTimeout as sleep } from 'node:timers/promises'

/** The id the tests key records by: Twitter's id_str. */
export function tweetId(line: string): string {
  return (JSON.parse(line) as { id_str: string }).id_str
}

export interface LoadResult {
  /** Ids of the records in batches that got a 202. */
  readonly acked: Set<string>
  readonly posts: number
  readonly refused: number
}

/**
 * A steady HTTP load: `workers` clients each take the next batch and POST it until it gets a
 * 202, retrying (as a real sender would) through refusals, resets and a collector that is
 * down. `url()` is read per attempt, so the target may move.
 */
export async function postAll(
  url: () => string,
  source: string,
  batches: readonly (readonly string[])[],
  options: { workers?: number; onAck?: (acked: number) => Promise<void> | void } = {},
): Promise<LoadResult> {
  const acked = new Set<string>()
  let next = 0
  let posts = 0
  let refused = 0
  let ackedBatches = 0
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++
      const batch = batches[i]
      if (batch === undefined) return
      for (;;) {
        posts++
        try {
          const res = await fetch(`${url()}/v1/ingest/${source}`, {
            method: 'POST',
            body: `${batch.join('\n')}\n`,
          })
          await res.arrayBuffer()
          if (res.status === 202) {
            for (const line of batch) acked.add(tweetId(line))
            ackedBatches++
            await options.onAck?.(ackedBatches)
            break
          }
          refused++
        } catch {
          refused++
        }
        await sleep(50)
      }
    }
  }
  await Promise.all(Array.from({ length: options.workers ?? 4 }, () => worker()))
  return { acked, posts, refused }
}

export function batchesOf(lines: readonly string[], size: number): string[][] {
  const out: string[][] = []
  for (let i = 0; i < lines.length; i += size) out.push(lines.slice(i, i + size))
  return out
}
