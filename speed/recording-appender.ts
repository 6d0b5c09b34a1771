import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import { dayOf, matchedLine, sortableLine } from '../schemas/index.js'
import { getJson, listAll, type ObjectStore } from '../schemas/ports/index.js'
import {
  RECORDING_REFRESH_MS,
  RECORDINGS_ACTIVE_PREFIX,
  recordingJobKey,
  recordingLogKey,
  type RecordingWindow,
} from './recording-layout.js'
import type { SpeedMatch } from './speed-worker.js'

const gzipAsync = promisify(gzip)

/**
 * The speed layer's side of scheduled recordings: knows the active recordings (kept current
 * by {@link refresh}) and stores each hand-off job's matches that fall in one's window as that
 * job's log segment per day. Segments are keyed by the job, so a job delivered again after a
 * crash rewrites its own segments; a record seen in two jobs (a collector sending it twice)
 * is removed when the recording is finalized.
 */
export class RecordingAppender {
  private readonly known = new Map<string, RecordingWindow>()
  private byStream = new Map<string, RecordingWindow[]>()
  /** Records stored (a redelivered job's again). */
  appended = 0

  constructor(private readonly store: ObjectStore) {}

  /** Recordings appended to now. */
  get size(): number {
    return this.known.size
  }

  /** Re-reads the list of active recordings (a job file is read once per recording). */
  async refresh(): Promise<void> {
    const active = new Set<string>()
    for await (const o of listAll(this.store, RECORDINGS_ACTIVE_PREFIX))
      active.add(o.key.slice(RECORDINGS_ACTIVE_PREFIX.length))
    for (const id of this.known.keys()) if (!active.has(id)) this.known.delete(id)
    for (const id of active) {
      if (this.known.has(id)) continue
      const job = await getJson<RecordingWindow>(this.store, recordingJobKey(id))
      // Listed without a job file only in a race with its deletion.
      if (job === undefined) continue
      this.known.set(id, { id, stream: job.stream, start: job.start, end: job.end })
    }
    const byStream = new Map<string, RecordingWindow[]>()
    for (const w of this.known.values())
      byStream.set(w.stream, [...(byStream.get(w.stream) ?? []), w])
    this.byStream = byStream
  }

  /**
   * Refreshes every {@link RECORDING_REFRESH_MS} until the returned function is called; a
   * failed refresh keeps the last list and is reported.
   */
  follow(onError: (e: unknown) => void): () => void {
    let running = false
    const timer = setInterval(() => {
      if (running) return
      running = true
      this.refresh()
        .catch(onError)
        .finally(() => (running = false))
    }, RECORDING_REFRESH_MS)
    return () => clearInterval(timer)
  }

  /** Stores `job`'s matches that fall in an active recording's window. */
  async append(job: string, matches: readonly SpeedMatch[]): Promise<void> {
    if (this.byStream.size === 0) return
    // (recording, day) → its lines
    const segments = new Map<string, { id: string; date: string; lines: string[] }>()
    for (const m of matches) {
      const windows = this.byStream.get(m.stream)
      if (windows === undefined) continue
      const at = m.interaction.interaction?.created_at
      const id = m.interaction.interaction?.id
      if (at === undefined || id === undefined) continue
      for (const w of windows) {
        if (at < w.start || at >= w.end) continue
        const date = dayOf(at)
        const name = `${w.id}/${date}`
        let segment = segments.get(name)
        if (segment === undefined) {
          segment = { id: w.id, date, lines: [] }
          segments.set(name, segment)
        }
        segment.lines.push(
          sortableLine({ at, id, line: matchedLine(m.interaction, [m.stream], m.tags) }),
        )
      }
    }
    await Promise.all(
      [...segments.values()].map(async (s) => {
        const body = await gzipAsync(`${s.lines.join('\n')}\n`, { level: 1 })
        await this.store.put(recordingLogKey(s.id, s.date, job, s.lines.length), body)
        this.appended += s.lines.length
      }),
    )
  }
}
