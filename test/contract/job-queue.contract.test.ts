import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openJobQueue } from '../../infra/adapters/open-job-queue.js'
import type { AbandonableConsumer } from '../../infra/adapters/queue/memory-queue-adapter.js'
import { parseQueueUrl, type QueueConfig } from '../../infra/config/adapter-urls.js'
import type { LaunchedProcess } from '../../infra/launchers/launched-process.js'
import { startRedis } from '../../infra/launchers/redis-launcher.js'
import { PermanentJobError, type JobQueue, type QueueJob } from '../../schemas/ports/index.js'
import { chosenAdapters } from '../support/adapter-choice.js'
import { REPO_ROOT } from '../support/shared-data.js'
import { until } from '../support/until.js'

const ADAPTERS = chosenAdapters('SLUICE_TEST_QUEUES', ['memory', 'redis'] as const)
// Short enough that a dead consumer's job comes back within a few seconds in the test.
const LOCK_MS = 1000
const RETRY = { attempts: 3, backoffMs: 100 }

interface Payload {
  readonly n: number
}

describe.each(ADAPTERS)('JobQueue contract: %s', (adapter) => {
  let redis: { process: LaunchedProcess; url: string } | undefined
  const config = (): QueueConfig =>
    adapter === 'memory'
      ? { kind: 'memory' }
      : parseQueueUrl('queue', `${redis?.url ?? ''}?prefix=t${randomUUID()}&lock_ms=${LOCK_MS}`)
  const open: JobQueue<Payload>[] = []
  const fresh = (cfg = config()): JobQueue<Payload> => {
    const q = openJobQueue<Payload>(cfg, 'contract', RETRY)
    open.push(q)
    return q
  }

  beforeAll(async () => {
    if (adapter === 'redis') redis = await startRedis()
  })
  afterAll(async () => {
    for (const q of open) await q.close()
    await redis?.process.stop()
  })

  it('delivers every job, each once, to concurrent handlers', async () => {
    const queue = fresh()
    const seen = new Map<string, number>()
    const consumer = queue.consume(
      async (job) => {
        await sleep(1)
        seen.set(job.id, (seen.get(job.id) ?? 0) + 1)
      },
      { concurrency: 4 },
    )
    for (let b = 0; b < 5; b++)
      await queue.add(Array.from({ length: 40 }, (_, i) => ({ id: `j-${b}-${i}`, data: { n: i } })))
    await until('200 jobs', () => seen.size === 200)
    await until('an idle queue', async () => (await queue.counts()).active === 0)
    await consumer.close()
    expect([...seen.values()].every((c) => c === 1)).toBe(true)
    expect(await queue.counts()).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 })
  })

  it('tells when the oldest job not yet done was added, through hand-off and retries', async () => {
    const queue = fresh()
    expect(await queue.oldestPending()).toBeUndefined()
    const before = Date.now()
    await queue.add([{ id: 'first', data: { n: 1 } }])
    const afterFirst = Date.now()
    await sleep(20)
    const beforeSecond = Date.now()
    await queue.add([
      { id: 'second', data: { n: 2 } },
      { id: 'third', data: { n: 3 } },
    ])
    const first = await queue.oldestPending()
    expect(first).toBeGreaterThanOrEqual(before)
    expect(first).toBeLessThanOrEqual(afterFirst)
    // 'first' fails once (waits for its retry), 'second' is held in hand until released.
    let release: () => void = () => undefined
    const held = new Promise<void>((resolve) => (release = resolve))
    const done = new Set<string>()
    const consumer = queue.consume(
      async (job) => {
        if (job.id === 'first' && job.attempt === 1) throw new Error('once')
        if (job.id === 'second') await held
        done.add(job.id)
      },
      { concurrency: 2 },
    )
    await until('first and third done', () => done.has('first') && done.has('third'))
    const second = await queue.oldestPending()
    expect(second).toBeGreaterThanOrEqual(beforeSecond)
    release()
    await until('nothing pending', async () => (await queue.oldestPending()) === undefined)
    await consumer.close()
  })

  it('does not run a job again when its id is added again', async () => {
    const queue = fresh()
    let runs = 0
    const consumer = queue.consume(async () => {
      runs++
      return Promise.resolve()
    })
    await queue.add([{ id: 'same', data: { n: 1 } }])
    await until('the first run', () => runs === 1)
    await queue.add([{ id: 'same', data: { n: 2 } }])
    await sleep(300)
    await consumer.close()
    expect(runs).toBe(1)
  })

  it('retries a failing job with growing delays until it succeeds', async () => {
    const queue = fresh()
    const attempts: { attempt: number; at: number }[] = []
    const consumer = queue.consume(async (job: QueueJob<Payload>) => {
      attempts.push({ attempt: job.attempt, at: Date.now() })
      if (job.attempt < 3) throw new Error(`flaky ${job.attempt}`)
      return Promise.resolve()
    })
    await queue.add([{ id: 'flaky', data: { n: 1 } }])
    await until('three attempts', () => attempts.length === 3)
    await consumer.close()
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3])
    const [a1, a2, a3] = attempts.map((a) => a.at)
    // Lower bounds only: backoff 100 ms, then 200 ms.
    expect((a2 ?? 0) - (a1 ?? 0)).toBeGreaterThanOrEqual(RETRY.backoffMs - 5)
    expect((a3 ?? 0) - (a2 ?? 0)).toBeGreaterThanOrEqual(2 * RETRY.backoffMs - 5)
    expect((await queue.counts()).failed).toBe(0)
  })

  it('fails a job after its last attempt, with the reason', async () => {
    const queue = fresh()
    let runs = 0
    const consumer = queue.consume(async () => {
      runs++
      return Promise.reject(new Error('always broken'))
    })
    await queue.add([{ id: 'doomed', data: { n: 1 } }])
    await until('the failure', async () => (await queue.counts()).failed === 1)
    await consumer.close()
    expect(runs).toBe(RETRY.attempts)
    expect(await queue.failed(10)).toEqual([
      { id: 'doomed', attempts: RETRY.attempts, reason: 'always broken' },
    ])
  })

  it('never retries a job that failed permanently', async () => {
    const queue = fresh()
    let runs = 0
    const consumer = queue.consume(async () => {
      runs++
      return Promise.reject(new PermanentJobError('payload cannot be read'))
    })
    await queue.add([{ id: 'bad', data: { n: 1 } }])
    await until('the failure', async () => (await queue.counts()).failed === 1)
    await sleep(4 * RETRY.backoffMs)
    await consumer.close()
    expect(runs).toBe(1)
    expect((await queue.failed(1))[0]).toMatchObject({
      id: 'bad',
      reason: 'payload cannot be read',
    })
  })

  it('rejects job ids that cannot be stored', async () => {
    const queue = fresh()
    await expect(queue.add([{ id: 'a:b', data: { n: 1 } }])).rejects.toThrow(/job id/)
  })

  it('delivers again a job whose consumer died holding it', async () => {
    const cfg = config()
    const queue = fresh(cfg)
    await queue.add([{ id: 'orphan', data: { n: 7 } }])
    await dieHoldingJob(cfg, queue)
    const done: QueueJob<Payload>[] = []
    const consumer = queue.consume(async (job) => {
      done.push(job)
      return Promise.resolve()
    })
    await until('redelivery', () => done.length === 1)
    await consumer.close()
    expect(done[0]).toMatchObject({ id: 'orphan', data: { n: 7 } })
    expect(await queue.counts()).toMatchObject({ active: 0, failed: 0 })
  })

  /**
   * A consumer takes the job and dies: for Redis, a separate process running our adapter,
   * killed with SIGKILL; in process, a consumer dropped mid-job (the in-process queue does not
   * outlive its process, so that is the death it can survive).
   */
  async function dieHoldingJob(cfg: QueueConfig, queue: JobQueue<Payload>): Promise<void> {
    if (cfg.kind === 'memory') {
      let taken = false
      const consumer = queue.consume(async () => {
        taken = true
        await new Promise(() => undefined)
      }) as AbandonableConsumer
      await until('the job to be taken', () => taken)
      await consumer.abandon()
      return
    }
    const adapterJs = join(REPO_ROOT, 'dist/infra/adapters/queue/bullmq-queue-adapter.js')
    const script = `
      const { BullmqJobQueue } = await import(${JSON.stringify(adapterJs)})
      const q = new BullmqJobQueue('contract', ${JSON.stringify({ host: cfg.host, port: cfg.port, prefix: cfg.prefix, lockMs: cfg.lockMs, retry: RETRY })})
      q.consume(async (job) => { console.log('holding ' + job.id); await new Promise(() => {}) })`
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    await until('the child to take the job', () => out.includes('holding orphan'))
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
  }
})
