import type { Writable } from 'node:stream'

// Lines are batched into writes of about this size: one syscall per ~256 KiB, not per line.
const FLUSH_CHARS = 256 * 1024

/**
 * Buffered, back-pressured line output to a stream (stdout or a file). `push` appends and says
 * whether the buffer is full; `flush` writes it and waits only when the stream asks to.
 *
 * @example if (sink.push(line)) await sink.flush()
 */
export class LineSink {
  private buffer = ''

  constructor(private readonly out: Writable) {}

  /** Appends one line (a newline is added); true when it is time to `flush`. */
  push(line: string): boolean {
    this.buffer += `${line}\n`
    return this.buffer.length >= FLUSH_CHARS
  }

  /** Writes what is buffered; resolves once the stream can take more. */
  async flush(): Promise<void> {
    if (this.buffer === '') return
    const chunk = this.buffer
    this.buffer = ''
    if (this.out.write(chunk)) return
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
