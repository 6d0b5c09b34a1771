/*
 * A recorded Twitter v1.1 sample replayed as a firehose: each record keeps its text and
 * entities but gets a fresh tweet id and a new creation time, so the same sample can play over
 * and over (the one-command stack's source, and the benchmarks').
 */

const TOP = /^\{"created_at": ?"([^"]+)", ?"id": ?(\d+), ?"id_str": ?"(\d+)"/
const DOW = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const two = (n: number): string => String(n).padStart(2, '0')

/** Twitter's `created_at` form: `Mon Nov 23 10:00:00 +0000 2026`. */
export function twitterDate(ms: number): string {
  const d = new Date(ms)
  return `${DOW[d.getUTCDay()]} ${MON[d.getUTCMonth()]} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000 ${d.getUTCFullYear()}`
}

/** A sample line with a fresh id (prefixed by `copy`) and the creation time `time`. */
export function retimedTweet(line: string, time: number, copy: number): string {
  const created = twitterDate(time)
  const m = TOP.exec(line)
  if (m === null) {
    // A few lines order their keys differently: rewrite them through JSON.
    const o = JSON.parse(line) as Record<string, unknown>
    const id = `${copy + 1}${String(o['id_str'] ?? o['id'])}`.slice(0, 19)
    return JSON.stringify({ ...o, created_at: created, id: Number(id), id_str: id })
  }
  const [head, , , idStr] = m as unknown as [string, string, string, string]
  const id = `${copy + 1}${idStr}`.slice(0, 19)
  return `{"created_at": "${created}", "id": ${id}, "id_str": "${id}"${line.slice(head.length)}`
}

/**
 * The sample's lines forever, each created now (`now()` when it is taken) with an id no earlier
 * pass used: a live firehose for `sendPaced`. `firstCopy` keeps the ids of separate runs apart.
 */
export function* liveReplay(
  lines: readonly string[],
  options: { readonly now?: () => number; readonly firstCopy?: number } = {},
): Generator<{ readonly source: 'twitter-v1'; readonly line: string }> {
  const now = options.now ?? Date.now
  if (lines.length === 0) return
  for (let copy = options.firstCopy ?? 0; ; copy++)
    for (const line of lines) yield { source: 'twitter-v1', line: retimedTweet(line, now(), copy) }
}
