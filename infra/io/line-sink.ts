import type { Writable } from 'node:stream'

// Lines are batched into writes of about this size: one syscall per ~64 KiB, not per line.
const FLUSH_BYTES = 64 * 1024

/**
 * Buffered, back-pressured line output to a stream (stdout or a file). `write` resolves at once
 * unless the stream asked to wait; `close` flushes what is left.
 */
export class LineSink {
  private buffer = ''
  private closed = false

  constructor(private readonly out: Writable) {}

  /** Queues one line (a newline is appended). */
  async write(line: string): Promise<void> {
    this.buffer += `${line}\n`
    if (this.buffer.length >= FLUSH_BYTES) await this.flush()
  }

  private async flush(): Promise<void> {
    if (this.buffer === '' || this.closed) return
    const chunk = this.buffer
    this.buffer = ''
    if (!this.out.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const onDrain = (): void => {
          this.out.off('error', onError)
          resolve()
        }
        const onError = (e: Error): void => {
          this.out.off('drain', onDrain)
          reject(e)
        }
        this.out.once('drain', onDrain)
        this.out.once('error', onError)
      })
    }
  }

  /** Flushes the remaining lines. Does not end the stream (stdout must stay open). */
  async close(): Promise<void> {
    await this.flush()
    this.closed = true
  }
}
