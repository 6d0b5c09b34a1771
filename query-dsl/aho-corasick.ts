/**
 * Aho–Corasick automaton over UTF-16 code units: finds which of many patterns occur in a text
 * in one pass, whatever the number of patterns. Built once from the pattern list; rebuild it to
 * change the patterns.
 *
 * The trie is compiled into a dense transition table (a DFA with the failure links folded in)
 * over the code units the patterns use, so scanning costs two array reads per character. When
 * that table would exceed `maxDenseCells`, scanning walks the trie and its failure links instead.
 */
export class AhoCorasick {
  /** Trie edges, kept for the sparse walk. */
  private readonly next: Map<number, number>[] = [new Map<number, number>()]
  private readonly fail: number[] = [0]
  /** Pattern ids ending at each state (own and inherited through failure links). */
  private readonly out: number[][] = [[]]
  /** Dense form: code unit → column (0: used by no pattern), state × columns → state. */
  private readonly columnOf: Uint16Array | undefined
  private readonly columns: number = 0
  private readonly delta: Int32Array | undefined

  constructor(
    patterns: readonly string[],
    { maxDenseCells = 1 << 23 }: { readonly maxDenseCells?: number } = {},
  ) {
    const units = new Map<number, number>()
    patterns.forEach((p, id) => {
      let s = 0
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i)
        if (!units.has(c)) units.set(c, units.size + 1)
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
    const order: number[] = []
    for (const t of this.next[0]?.values() ?? []) order.push(t)
    for (let head = 0; head < order.length; head++) {
      const s = order[head] ?? 0
      for (const [c, t] of this.next[s] ?? []) {
        order.push(t)
        let f = this.fail[s] ?? 0
        while (f !== 0 && !(this.next[f]?.has(c) ?? false)) f = this.fail[f] ?? 0
        const target = this.next[f]?.get(c)
        const link = target !== undefined && target !== t ? target : 0
        this.fail[t] = link
        const inherited = this.out[link]
        if (inherited !== undefined && inherited.length > 0) this.out[t]?.push(...inherited)
      }
    }
    const columns = units.size + 1
    if (this.next.length * columns > maxDenseCells) return
    const columnOf = new Uint16Array(0x10000)
    for (const [c, column] of units) columnOf[c] = column
    const delta = new Int32Array(this.next.length * columns)
    // In breadth-first order a state's failure target is complete before the state itself.
    for (const s of [0, ...order]) {
      const row = s * columns
      const failRow = (this.fail[s] ?? 0) * columns
      for (const [c, column] of units) {
        const t = this.next[s]?.get(c)
        delta[row + column] = t ?? (s === 0 ? 0 : (delta[failRow + column] ?? 0))
      }
    }
    this.columnOf = columnOf
    this.columns = columns
    this.delta = delta
  }

  /** Calls `found` with the id of every pattern occurring in `text` (possibly more than once). */
  scan(text: string, found: (id: number) => void): void {
    const { delta, columnOf, columns, out } = this
    if (delta === undefined || columnOf === undefined) {
      this.scanSparse(text, found)
      return
    }
    let s = 0
    for (let i = 0; i < text.length; i++) {
      s = delta[s * columns + (columnOf[text.charCodeAt(i)] ?? 0)] ?? 0
      const ids = out[s]
      if (ids !== undefined && ids.length > 0) for (const id of ids) found(id)
    }
  }

  private scanSparse(text: string, found: (id: number) => void): void {
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
