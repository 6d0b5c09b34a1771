import type { ChildProcess } from 'node:child_process'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalDirObjectStore } from '../../infra/adapters/object-store/local-dir-adapter.js'
import { batchesOf, tweetId } from '../support/ingest-client.js'
import { dataLines } from '../support/shared-data.js'
import { spawnSluice, stderrMatch, stopSluice } from '../support/sluice-process.js'
import { storedRecords } from '../support/stored-records.js'
import { tempDir } from '../support/temp-dir.js'
import { statusOf } from './abuse-targets.js'

/*
 * Issue 21, item 5: bodies that trickle in (slowloris) against a real `sluice collect --http`.
 * Slow bodies are cut by the body timeouts and never hold the slots other senders need; a
 * sender from another address is not affected at all, one from the same address waits at
 * most a body timeout; and nothing acknowledged before, during or after is lost.
 */

// The collector here cuts a body after 4 s, or after 2 s without a byte.
const BODY_TIMEOUT_S = 4
const BODY_IDLE_S = 2

interface Trickle {
  readonly socket: Socket
  /** Resolves with the status the collector answered (undefined: it closed without one). */
  readonly answered: Promise<number | undefined>
  /** Sends no more, keeping the connection open. */
  halt(): void
  stop(): void
}

/** A request whose body comes one byte a second, as a slowloris sends it. */
function trickle(port: number, localAddress: string): Trickle {
  const socket = connect({ port, host: '127.0.0.1', localAddress })
  let text = ''
  let timer: NodeJS.Timeout | undefined
  const answered = new Promise<number | undefined>((resolve) => {
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1')
      const status = statusOf(text)
      if (status !== undefined) resolve(status)
    })
    socket.on('close', () => resolve(statusOf(text)))
    socket.on('error', () => resolve(statusOf(text)))
  })
  socket.on('connect', () => {
    socket.write(
      'POST /v1/ingest/twitter-v1 HTTP/1.1\r\nHost: x\r\ncontent-length: 100000\r\n\r\n{',
    )
    timer = setInterval(() => {
      if (!socket.destroyed) socket.write('"')
    }, 1000)
  })
  return {
    socket,
    answered: answered.finally(() => clearInterval(timer)),
    halt: () => clearInterval(timer),
    stop: () => {
      clearInterval(timer)
      socket.destroy()
    },
  }
}

describe('sluice collect --http under a slowloris', () => {
  const dir = tempDir('abuse-ingest')
  let child: ChildProcess
  let url = ''
  let port = 0
  const acked = new Set<string>()
  const tweets = dataLines('twitter-v1-sample.jsonl.gz').slice(0, 3000)
  const batches = batchesOf(tweets, 50)
  let next = 0

  /** Posts the next batch from `localAddress` until it is acknowledged; returns the wait (ms). */
  async function postNext(localAddress = '127.0.0.1'): Promise<number> {
    const batch = batches[next++ % batches.length] as string[]
    const started = performance.now()
    for (;;) {
      const status = await new Promise<number | undefined>((resolve) => {
        const body = Buffer.from(`${batch.join('\n')}\n`)
        const socket = connect({ port, host: '127.0.0.1', localAddress })
        let text = ''
        socket.on('data', (d: Buffer) => (text += d.toString('latin1')))
        socket.on('close', () => resolve(statusOf(text)))
        socket.on('error', () => resolve(undefined))
        socket.write(
          `POST /v1/ingest/twitter-v1 HTTP/1.1\r\nHost: x\r\nconnection: close\r\ncontent-length: ${body.length}\r\n\r\n`,
        )
        socket.write(body)
      })
      if (status === 202) {
        for (const line of batch) acked.add(tweetId(line))
        return performance.now() - started
      }
      // 429 with Retry-After while the address has its share of bodies arriving.
      expect(status).toBe(429)
      await sleep(250)
    }
  }

  beforeAll(async () => {
    child = spawnSluice([
      'collect',
      ...['--http', '127.0.0.1:0', '--store', `file://${join(dir.path, 'store')}`],
      ...['--log-dir', join(dir.path, 'log'), '--segment-age', '2'],
      ...['--body-timeout', String(BODY_TIMEOUT_S), '--body-idle', String(BODY_IDLE_S)],
    ])
    const [, listening] = await stderrMatch(child, /"event":"collector_listening","url":"([^"]+)"/)
    url = listening as string
    port = Number(new URL(url).port)
    // Records acknowledged before any attack.
    for (let i = 0; i < 5; i++) await postNext()
  }, 60_000)

  afterAll(async () => {
    if (child !== undefined) await stopSluice(child)
    dir.remove()
  })

  it('serves other addresses at once while 40 bodies trickle in, and cuts the trickles off', async () => {
    const slow = Array.from({ length: 40 }, () => trickle(port, '127.0.0.2'))
    await sleep(500)
    // Meanwhile, another address's batches are taken as usual.
    const waits: number[] = []
    for (let i = 0; i < 10; i++) waits.push(await postNext('127.0.0.1'))
    expect(Math.max(...waits)).toBeLessThan(3_000)
    const answers = await Promise.all(slow.map((t) => t.answered))
    // Past one address's share, refused at once; the rest cut off by the body timeout.
    expect(answers.filter((s) => s === 429).length).toBeGreaterThan(0)
    expect(answers.filter((s) => s === 408).length).toBeGreaterThan(0)
    expect(answers.every((s) => s === 429 || s === 408)).toBe(true)
    for (const t of slow) t.stop()
  })

  it('lets the same address in again within a body timeout, whatever it trickles', async () => {
    const slow = Array.from({ length: 32 }, () => trickle(port, '127.0.0.1'))
    await sleep(500)
    // These wait while the address has its share of bodies arriving, and no longer.
    const started = performance.now()
    for (let i = 0; i < 5; i++) await postNext('127.0.0.1')
    expect(performance.now() - started).toBeLessThan((BODY_TIMEOUT_S + 6) * 1000)
    await Promise.all(slow.map((t) => t.answered))
    for (const t of slow) t.stop()
    // And bodies that stop mid-way are cut after the idle time, freeing their share.
    const stalled = Array.from({ length: 16 }, () => trickle(port, '127.0.0.3'))
    await sleep(300)
    for (const t of stalled) t.halt()
    expect(await postNext('127.0.0.3')).toBeLessThan((BODY_IDLE_S + 6) * 1000)
    expect(await Promise.all(stalled.map((t) => t.answered))).toEqual(stalled.map(() => 408))
    for (const t of stalled) t.stop()
  })

  it('keeps every acknowledged record', async () => {
    for (let i = 0; i < 5; i++) await postNext()
    const health = await fetch(`${url}/health`)
    expect(health.status).toBe(200)
    // Stopping seals and uploads the log: every acknowledged record is in the store.
    await stopSluice(child)
    const stored = new Set<string>()
    for (const records of (
      await storedRecords(new LocalDirObjectStore(join(dir.path, 'store')))
    ).values())
      for (const r of records) stored.add(tweetId(r))
    const missing = [...acked].filter((id) => !stored.has(id))
    expect(acked.size).toBeGreaterThan(1000)
    expect(missing).toEqual([])
  })
})
