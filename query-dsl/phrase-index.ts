import { removeFirst } from './array-remove.js'
import type { TokenizerConfig } from './text-tokenizer.js'
import { scanTokens, tokenize, TokenSpans } from './text-tokenizer.js'
import { TokenIdTable } from './token-id-table.js'

interface PhraseSlot<E> {
  readonly entry: E
  /** The phrase as token ids. */
  readonly ids: Int32Array
  /** Which of its tokens it is listed under. */
  anchor: number
  /** Generation of the last text batch it was found in. */
  stamp: number
}

// Token id of a word no phrase uses.
const UNKNOWN = -1

/** Texts scanned before the first re-anchoring, and the longest interval between two. */
const FIRST_REANCHOR = 1024
const MAX_REANCHOR_INTERVAL = 1 << 16

/**
 * Finds which of many phrases (token sequences) occur in a text, at a cost that follows the
 * text's tokens rather than the number of phrases.
 *
 * Every token a phrase uses gets a small integer id; a text's tokens are mapped to ids once
 * (one hash probe each, no token strings), and each phrase is listed under one of its tokens,
 * its anchor, so a text only visits the phrases anchored on its own tokens, compared as
 * integers. The anchor should be the phrase's rarest token: at first the longest one is taken;
 * then the index counts how often each token occurs in the texts it scans and periodically
 * re-anchors every phrase on its least-seen token, so "the …" and "of …" phrases leave the
 * lists nearly every text visits.
 */
export class PhraseIndex<E> {
  private readonly table = new TokenIdTable()
  /**
   * One-word phrases (most of them: every word of a contains_any) by token id, with the
   * generation each was last found in: the common case touches no phrase object.
   */
  private single: (E | undefined)[] = []
  private singleStamp = new Int32Array(256).fill(-1)
  /** Longer phrases (and a rare second one-word phrase of the same word) by anchor token. */
  private byAnchor: (PhraseSlot<E>[] | undefined)[] = []
  private readonly slots = new Map<E, PhraseSlot<E>>()
  /** Occurrences of each token id in scanned texts (halved at each re-anchoring). */
  private seen = new Int32Array(256)
  private scanned = 0
  private nextReanchor = FIRST_REANCHOR
  private reanchorInterval = FIRST_REANCHOR
  private ids = new Int32Array(256)
  private readonly spans = new TokenSpans()

  constructor(private readonly config: TokenizerConfig) {}

  /** Number of phrases. */
  get size(): number {
    return this.slots.size
  }

  /** Lists a phrase (already tokenized with this index's configuration) for `entry`. */
  add(entry: E, tokens: readonly string[]): void {
    if (this.slots.has(entry) || tokens.length === 0) return
    const ids = Int32Array.from(tokens, (t) => this.table.add(t))
    if (this.seen.length < this.table.size) {
      const seen = new Int32Array(this.table.size * 2)
      seen.set(this.seen)
      this.seen = seen
      const stamps = new Int32Array(this.table.size * 2).fill(-1)
      stamps.set(this.singleStamp)
      this.singleStamp = stamps
    }
    const slot: PhraseSlot<E> = { entry, ids, anchor: this.bestAnchor(ids), stamp: -1 }
    this.slots.set(entry, slot)
    const word = ids[0] ?? 0
    if (ids.length === 1 && this.single[word] === undefined) {
      this.single[word] = entry
      this.singleStamp[word] = -1
    } else this.list(slot)
  }

  /** Unlists the phrase of `entry`. Token ids stay (they are the phrases' distinct words). */
  remove(entry: E): void {
    const slot = this.slots.get(entry)
    if (slot === undefined) return
    this.slots.delete(entry)
    const word = slot.ids[0] ?? 0
    if (slot.ids.length === 1 && this.single[word] === entry) {
      this.single[word] = undefined
      return
    }
    const list = this.byAnchor[slot.ids[slot.anchor] ?? 0]
    if (list !== undefined) removeFirst(list, slot)
  }

  /**
   * Calls `found` once per generation `gen` for each listed phrase occurring in `text`, which
   * is already folded as the configuration asks (foldForTokens): callers share one fold.
   */
  scan(text: string, gen: number, found: (entry: E) => void): void {
    let n: number
    if (this.config.language === 'ja') {
      // ICU segments Japanese; its tokens come as strings.
      const tokens = tokenize(text, this.config)
      n = tokens.length
      const ids = this.idBuffer(n)
      for (let i = 0; i < n; i++) {
        const token = tokens[i] ?? ''
        ids[i] = this.table.lookup(token, 0, token.length)
      }
    } else {
      const spans = this.spans
      scanTokens(text, this.config.punctuation, spans)
      n = spans.count
      const ids = this.idBuffer(n)
      for (let i = 0; i < n; i++)
        ids[i] = this.table.lookup(text, spans.starts[i] ?? 0, spans.ends[i] ?? 0)
    }
    this.visit(n, gen, found)
    if (++this.scanned >= this.nextReanchor) this.reanchor()
  }

  private visit(n: number, gen: number, found: (entry: E) => void): void {
    const ids = this.ids
    const seen = this.seen
    for (let i = 0; i < n; i++) {
      const id = ids[i] ?? UNKNOWN
      if (id === UNKNOWN) continue
      seen[id] = (seen[id] ?? 0) + 1
      const one = this.single[id]
      if (one !== undefined && this.singleStamp[id] !== gen) {
        this.singleStamp[id] = gen
        found(one)
      }
      const list = this.byAnchor[id]
      if (list === undefined) continue
      for (const slot of list)
        if (slot.stamp !== gen && idsAt(ids, n, slot.ids, i - slot.anchor, slot.anchor)) {
          slot.stamp = gen
          found(slot.entry)
        }
    }
  }

  private idBuffer(n: number): Int32Array {
    if (this.ids.length < n) this.ids = new Int32Array(n * 2)
    return this.ids
  }

  private list(slot: PhraseSlot<E>): void {
    const key = slot.ids[slot.anchor] ?? 0
    const list = this.byAnchor[key]
    if (list === undefined) this.byAnchor[key] = [slot]
    else list.push(slot)
  }

  /** The least-seen token of a phrase; among equals, the longest. */
  private bestAnchor(ids: Int32Array): number {
    let best = 0
    for (let k = 1; k < ids.length; k++) {
      const id = ids[k] ?? 0
      const bestId = ids[best] ?? 0
      const a = this.seen[id] ?? 0
      const b = this.seen[bestId] ?? 0
      if (a < b || (a === b && this.table.tokenOf(id).length > this.table.tokenOf(bestId).length))
        best = k
    }
    return best
  }

  private reanchor(): void {
    this.byAnchor = []
    for (const slot of this.slots.values()) {
      if (slot.ids.length === 1 && this.single[slot.ids[0] ?? 0] === slot.entry) continue
      if (slot.ids.length > 1) slot.anchor = this.bestAnchor(slot.ids)
      this.list(slot)
    }
    // Halving keeps the counts following the traffic as it drifts.
    for (let i = 0; i < this.seen.length; i++) this.seen[i] = (this.seen[i] ?? 0) >> 1
    this.reanchorInterval = Math.min(MAX_REANCHOR_INTERVAL, this.reanchorInterval * 2)
    this.nextReanchor = this.scanned + this.reanchorInterval
  }
}

/**
 * True when `phrase` (token ids) occurs in the first `n` ids of `ids` starting at `at`; its
 * token `known` is already known to match.
 */
function idsAt(ids: Int32Array, n: number, phrase: Int32Array, at: number, known: number): boolean {
  if (at < 0 || at + phrase.length > n) return false
  for (let k = 0; k < phrase.length; k++) if (k !== known && ids[at + k] !== phrase[k]) return false
  return true
}
