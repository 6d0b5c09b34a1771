import { EventEmitter } from 'node:events'
import {
  ALL_STREAMS,
  type MatchChannel,
  type MatchMessage,
  type Unsubscribe,
} from '../../../schemas/ports/index.js'

/** The matches channel within one process (the embedded default). */
export class MemoryMatchChannel implements MatchChannel {
  private readonly events = new EventEmitter()

  constructor() {
    // Every live client is a listener.
    this.events.setMaxListeners(0)
  }

  publish(matches: readonly MatchMessage[]): Promise<void> {
    for (const m of matches) {
      this.events.emit(m.stream, m)
      this.events.emit(ALL_STREAMS, m)
    }
    return Promise.resolve()
  }

  subscribe(stream: string, handler: (match: MatchMessage) => void): Promise<Unsubscribe> {
    this.events.on(stream, handler)
    return Promise.resolve(() => {
      this.events.off(stream, handler)
      return Promise.resolve()
    })
  }

  close(): Promise<void> {
    this.events.removeAllListeners()
    return Promise.resolve()
  }
}
