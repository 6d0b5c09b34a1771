import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { openObjectStore } from '../infra/adapters/open-object-store.js'
import { freePort } from '../infra/launchers/free-port.js'
import { batchesOf, postAll, tweetId } from './support/ingest-client.js'
import { REPO_ROOT, dataLines } from './support/shared-data.js'
import { storedRecords } from './support/stored-records.js'
import { tempDir } from './support/temp-dir.js'

const SLUICE = join(REPO_ROOT, 'dist/infra/bin/sluice.js')

describe('a collector killed with SIGKILL under steady HTTP load', () => {
  const tmp = tempDir('crash')
  let child: ChildProcess | undefined
  afterAll(() => {
    child?.kill('SIGKILL')
    tmp.remove()
  })

  it('keeps every acknowledged record, once per segment, across kills and restarts', async () => {
    const port = await freePort()
    const start = async (): Promise<ChildProcess> => {
      const c = spawn(
        process.execPath,
        [
          SLUICE,
          'collect',
          '--http',
          `127.0.0.1:${port}`,
          '--store',
          `file://${tmp.path}/store`,
          '--log-dir',
          `${tmp.path}/log`,
          '--collector',
          'k1',
          '--segment-age',
          '0.5',
          '--segment-bytes',
          '2000000',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      )
      c.stderr?.resume()
      for (let i = 0; i < 200; i++) {
        const up = await fetch(`http://127.0.0.1:${port}/health`).then(
          (r) => r.ok,
          () => false,
        )
        if (up) return c
        await sleep(50)
      }
      throw new Error('the collector did not start')
    }
    const kill = async (c: ChildProcess, signal: NodeJS.Signals): Promise<void> => {
      const exited = new Promise((resolve) => c.once('exit', resolve))
      c.kill(signal)
      await exited
    }

    // Unique tweets, so "once per segment" can be checked by id.
    const seen = new Set<string>()
    const tweets = dataLines('twitter-v1-sample.jsonl.gz').filter((l) => {
      const id = tweetId(l)
      return seen.has(id) ? false : (seen.add(id), true)
    })
    const batches = batchesOf(tweets.slice(0, 15_000), 100)
    child = await start()
    const killAt = new Set([25, 60, 100])
    let kills = 0
    let restarting: Promise<void> | undefined
    const load = await postAll(() => `http://127.0.0.1:${port}`, 'twitter-v1', batches, {
      onAck: (acked) => {
        if (!killAt.has(acked) || restarting !== undefined) return
        killAt.delete(acked)
        kills++
        const victim = child
        // Kill while other requests are in flight, then come back on the same log directory.
        restarting = (async () => {
          if (victim !== undefined) await kill(victim, 'SIGKILL')
          child = await start()
          restarting = undefined
        })()
      },
    })
    await restarting
    expect(kills).toBe(3)
    if (child !== undefined) await kill(child, 'SIGTERM')

    const stored = await storedRecords(openObjectStore({ kind: 'file', path: `${tmp.path}/store` }))
    const everywhere = new Set<string>()
    for (const [key, records] of stored) {
      const ids = records.map(tweetId)
      // Exactly once per raw segment.
      expect(new Set(ids).size, key).toBe(ids.length)
      for (const id of ids) everywhere.add(id)
    }
    const lost = [...load.acked].filter((id) => !everywhere.has(id))
    expect(lost).toEqual([])
    expect(load.acked.size).toBe(15_000)
    expect(load.refused).toBeGreaterThan(0)
    expect(stored.size).toBeGreaterThan(3)
  })
})
