/**
 * Aho–Corasick automaton over UTF-16 code units: finds which of many patterns occur in a text
 * in one pass, whatever the number of patterns. Built once from the pattern list; rebuild it to
 * change the patterns.
 */
export class AhoCorasick {
  private readonly next: Map<number, number>[] = [new Map<number, number>()]
  private readonly fail: number[] = [0]
  /** Pattern ids ending at each state (own and inherited through failure links). */
  private readonly out: number[][] = [[]]

  constructor(patterns: readonly string[]) {
    patterns.forEach((p, id) => {
      let s = 0
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i)
        const edges = this.next[s] ?? new Map<number, number>()
        let t = edges.get(c)
        if (t === undefined) {
          t = this.next.length
          edges.set(c, t)
          this.next.push(new Map<number, number>())
          this.fail.push(0)
          this.out.push([])
        }
        s = t
      }
      this.out[s]?.push(id)
    })
    // Breadth-first: failure links point to the longest proper suffix that is a prefix.
    const queue: number[] = []
    for (const t of this.next[0]?.values() ?? []) queue.push(t)
    for (let head = 0; head < queue.length; head++) {
      const s = queue[head] ?? 0
      for (const [c, t] of this.next[s] ?? []) {
        queue.push(t)
        let f = this.fail[s] ?? 0
        while (f !== 0 && !(this.next[f]?.has(c) ?? false)) f = this.fail[f] ?? 0
        const target = this.next[f]?.get(c)
        const link = target !== undefined && target !== t ? target : 0
        this.fail[t] = link
        const inherited = this.out[link]
        if (inherited !== undefined && inherited.length > 0) this.out[t]?.push(...inherited)
      }
    }
  }

  /** Calls `found` with the id of every pattern occurring in `text` (possibly more than once). */
  scan(text: string, found: (id: number) => void): void {
    let s = 0
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      for (;;) {
        const t = this.next[s]?.get(c)
        if (t !== undefined) {
          s = t
          break
        }
        if (s === 0) break
        s = this.fail[s] ?? 0
      }
      const ids = this.out[s]
      if (ids !== undefined) for (const id of ids) found(id)
    }
  }
}
