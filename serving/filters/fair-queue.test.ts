import { describe, expect, it } from 'vitest'
import { FairQueue, QueueFullError } from './fair-queue.js'

/** A task that finishes when told to, recording when it started. */
function gated(started: string[], name: string): { task: () => Promise<string>; open: () => void } {
  let open: () => void = () => undefined
  const gate = new Promise<void>((r) => (open = r))
  return {
    task: async () => {
      started.push(name)
      await gate
      return name
    },
    open: () => open(),
  }
}

describe('FairQueue', () => {
  it('takes turns between owners, whoever queued more', async () => {
    const queue = new FairQueue(1, 10)
    const started: string[] = []
    const first = gated(started, 'a0')
    const running = queue.run('a', first.task)
    const tasks = [
      ...['a1', 'a2', 'a3'].map((n) => ({ owner: 'a', ...gated(started, n) })),
      ...['b1', 'b2'].map((n) => ({ owner: 'b', ...gated(started, n) })),
    ]
    const results = tasks.map((t) => queue.run(t.owner, t.task))
    for (const t of tasks) t.open()
    first.open()
    expect(await Promise.all([running, ...results])).toEqual(['a0', 'a1', 'a2', 'a3', 'b1', 'b2'])
    // a queued three before b queued two; b still went second.
    expect(started).toEqual(['a0', 'a1', 'b1', 'a2', 'b2', 'a3'])
  })

  it('refuses an owner past its waiting tasks, not the others', async () => {
    const queue = new FairQueue(1, 2)
    const started: string[] = []
    const blocker = gated(started, 'x')
    const running = queue.run('a', blocker.task)
    const waiting = [
      queue.run('a', () => Promise.resolve('a1')),
      queue.run('a', () => Promise.resolve('a2')),
    ]
    await expect(queue.run('a', () => Promise.resolve('a3'))).rejects.toBeInstanceOf(QueueFullError)
    const other = queue.run('b', () => Promise.resolve('b1'))
    blocker.open()
    expect(await Promise.all([running, ...waiting, other])).toEqual(['x', 'a1', 'a2', 'b1'])
  })

  it('goes on after a task fails', async () => {
    const queue = new FairQueue(1, 4)
    const failing = queue.run('a', () => Promise.reject(new Error('boom')))
    const next = queue.run('a', () => Promise.resolve('ok'))
    await expect(failing).rejects.toThrow('boom')
    expect(await next).toBe('ok')
  })
})
