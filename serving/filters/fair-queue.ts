/** A caller has as many tasks waiting as it may. */
export class QueueFullError extends Error {
  override readonly name = 'QueueFullError'
  constructor(
    readonly owner: string,
    readonly limit: number,
  ) {
    super(`${limit} of your filters are already waiting to be compiled; wait for them first`)
  }
}

interface Waiting {
  readonly start: () => void
}

/**
 * Runs at most `concurrency` tasks at once, taking turns between owners: an owner who queues a
 * hundred tasks delays another owner's next task by at most one of theirs, not a hundred. Each
 * owner may have `maxWaiting` tasks waiting; more are refused with {@link QueueFullError}.
 */
export class FairQueue {
  private running = 0
  private readonly waiting = new Map<string, Waiting[]>()
  /** Owners with tasks waiting, in turn order. */
  private readonly turns: string[] = []

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number,
  ) {}

  run<T>(owner: string, task: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency && this.turns.length === 0) return this.start(task)
    const queue = this.waiting.get(owner) ?? []
    if (queue.length >= this.maxWaiting)
      return Promise.reject(new QueueFullError(owner, this.maxWaiting))
    return new Promise<T>((resolve, reject) => {
      queue.push({ start: () => void this.start(task).then(resolve, reject) })
      if (!this.waiting.has(owner)) {
        this.waiting.set(owner, queue)
        this.turns.push(owner)
      }
    })
  }

  private async start<T>(task: () => Promise<T>): Promise<T> {
    this.running++
    try {
      return await task()
    } finally {
      this.running--
      this.next()
    }
  }

  private next(): void {
    const owner = this.turns.shift()
    if (owner === undefined) return
    const queue = this.waiting.get(owner) as Waiting[]
    const first = queue.shift() as Waiting
    if (queue.length > 0) this.turns.push(owner)
    else this.waiting.delete(owner)
    first.start()
  }
}
