import { normalizeUrl } from '../schemas/index.js'
import { AhoCorasick } from './aho-corasick.js'
import { removeFirst } from './array-remove.js'
import { EvalContext, isPresent, type TokenView } from './eval-context.js'
import type { FilterMatch } from './evaluate.js'
import { evaluateTags, type CompiledDefinition, type FilterExpr } from './filter-expr.js'
import { GeoGrid } from './geo-grid.js'
import { pointsOf } from './geo-predicates.js'
import { PhraseIndex } from './phrase-index.js'
import { triggerKey, type Predicate, type Trigger } from './predicate.js'
import { anyOf, presenceProbability } from './probability.js'
import type { TargetBinding } from './target-binding.js'
import { canonicalNumber } from './value-predicates.js'

/*
 * The shared plan of many filters (DataSift ran ~10,000 customer streams per node this way):
 *
 * 1. Predicates are interned by key: a condition used by a thousand filters is one predicate,
 *    evaluated at most once per interaction (memoized by generation stamps).
 * 2. Each predicate declares triggers, necessary conditions an index can test for all predicates
 *    at once: phrases looked up token by token, exact values and numbers in hash maps, URLs
 *    normalized once, substrings with one Aho–Corasick pass. For an interaction the indexes
 *    "fire" the triggers it satisfies; a predicate none of whose triggers fired is false
 *    without being tested, and one with exact triggers is true without being tested.
 * 3. Each filter is anchored on a set of triggers at least one of which must fire for it to
 *    match (the rarest operand of an AND, every operand of an OR). Only filters whose anchor
 *    fired are evaluated, plus the few that cannot be anchored (a bare NOT, say). So the work per
 *    interaction follows its tokens and the filters it could match, not the number of filters.
 * 4. Evaluation short-circuits AND/OR with the cheapest operands first.
 *
 * Correctness does not depend on the probability guesses: triggers are necessary conditions,
 * and everything not decided by an index is decided by the predicate's own test. The property
 * tests check that the plan always agrees with evaluating each filter alone.
 */

// Shared by every untagged match (most of them): frozen, so no caller can alter another's.
const NO_TAGS: readonly string[] = Object.freeze([])
const NO_TAG_TREE: Readonly<Record<string, unknown>> = Object.freeze({})

/** Anchors likelier than this are not worth indexing: the filter is simply always evaluated. */
const ALWAYS_EVALUATE_ABOVE = 0.6

/** One entry of an index: the predicates a trigger can make true and the filters it anchors. */
class TriggerEntry {
  readonly predicates: number[] = []
  readonly filters: number[] = []
  stamp = -1
  constructor(
    readonly trigger: Trigger,
    readonly key: string,
  ) {}
}

interface PhraseGroup {
  readonly view: TokenView
  readonly index: PhraseIndex<TriggerEntry>
}

interface ValueGroup {
  readonly target: TargetBinding
  readonly fold: boolean
  readonly map: Map<string, TriggerEntry>
}

interface SubstringGroup {
  readonly target: TargetBinding
  readonly fold: boolean
  readonly entries: TriggerEntry[]
  automaton: AhoCorasick | undefined
  /** Fires the entry of a pattern id (made once: scanning allocates no callback). */
  readonly onMatch: (id: number) => void
}

interface GeoGroup {
  readonly target: TargetBinding
  readonly grid: GeoGrid<TriggerEntry>
}

interface PresenceGroup {
  readonly target: TargetBinding
  readonly filters: number[]
}

interface PlanPredicate {
  readonly predicate: Predicate
  refs: number
  /** True when every trigger is indexed (not `present`): unfired means false. */
  readonly decidedByIndex: boolean
  /** The index entries of its triggers (when decided by the index). */
  readonly triggerEntries: readonly TriggerEntry[]
}

interface PlanFilter {
  readonly definition: CompiledDefinition
  readonly test: () => boolean
  readonly tagTests: readonly { readonly test: () => boolean }[]
  readonly predicateIds: readonly number[]
  readonly anchorEntries: readonly TriggerEntry[]
  readonly anchorTargets: readonly TargetBinding[]
  readonly always: boolean
}

type Anchor = { readonly triggers: readonly Trigger[]; readonly probability: number } | undefined

/**
 * Many compiled filters evaluated as one plan. Filters can be added and removed at any time.
 *
 * @example
 * const set = new FilterSet()
 * set.add(def)
 * set.match(interaction) // [{ hash, tags, tagTree }]
 */
export class FilterSet {
  private readonly ctx = new EvalContext()
  private readonly predicates: (PlanPredicate | undefined)[] = []
  private readonly predicateIds = new Map<string, number>()
  private readonly freePredicateIds: number[] = []
  private readonly filters: (PlanFilter | undefined)[] = []
  private readonly filterIds = new Map<string, number>()
  private readonly freeFilterIds: number[] = []
  private readonly alwaysFilters = new Set<number>()

  private readonly entries = new Map<string, TriggerEntry>()
  private readonly phraseGroups = new Map<number, PhraseGroup>()
  private readonly valueGroups = new Map<string, ValueGroup>()
  private readonly numberGroups = new Map<number, ValueGroup>()
  private readonly urlGroups = new Map<number, ValueGroup>()
  private readonly valueSets: TriggerEntry[] = []
  private readonly substringGroups = new Map<string, SubstringGroup>()
  private readonly presenceGroups = new Map<number, PresenceGroup>()
  private readonly geoGroups = new Map<number, GeoGroup>()

  // Per-interaction state, indexed by predicate or filter id; valid when the stamp is current.
  private memoStamp: Int32Array = new Int32Array(256).fill(-1)
  private memoValue: Uint8Array = new Uint8Array(256)
  /** 1 where the predicate is true whenever one of its triggers fires (see Predicate). */
  private exact: Uint8Array = new Uint8Array(256)
  private firedStamp: Int32Array = new Int32Array(256).fill(-1)
  private candidateStamp: Int32Array = new Int32Array(256).fill(-1)
  private readonly candidates: number[] = []
  private generation = 0
  /** Fires an entry for the current interaction (made once: indexes call it allocation-free). */
  private readonly fireCurrent = (e: TriggerEntry): void => this.fire(e, this.generation)

  /** Number of filters in the set. */
  get size(): number {
    return this.filterIds.size
  }

  /** Number of distinct predicates the filters share. */
  get predicateCount(): number {
    return this.predicateIds.size
  }

  /** Number of index entries (distinct triggers) the filters use. */
  get indexEntryCount(): number {
    return this.entries.size
  }

  has(hash: string): boolean {
    return this.filterIds.has(hash)
  }

  /** Adds a compiled filter (replacing one with the same hash). Tag-only definitions never match. */
  add(definition: CompiledDefinition): void {
    this.remove(definition.hash)
    const id = this.freeFilterIds.pop() ?? this.filters.length
    const predicateIds: number[] = []
    const intern = (p: Predicate): number => {
      const pid = this.intern(p)
      predicateIds.push(pid)
      return pid
    }
    const streamTests = new Map<string, () => boolean>()
    const test =
      definition.filter === undefined
        ? () => false
        : this.compileExpr(definition.filter, intern, streamTests)
    const tagTests = definition.tagRules.map((rule) => ({
      test: this.compileExpr(rule.expr, intern, streamTests),
    }))
    const anchor = definition.filter === undefined ? undefined : this.anchorOf(definition.filter)
    const always =
      definition.filter !== undefined &&
      (anchor === undefined || anchor.probability > ALWAYS_EVALUATE_ABOVE)
    const anchorEntries: TriggerEntry[] = []
    const anchorTargets: TargetBinding[] = []
    if (!always && anchor !== undefined) {
      for (const t of anchor.triggers) {
        if (t.kind === 'present') {
          const g = this.presenceGroups.get(t.target.slot) ?? { target: t.target, filters: [] }
          this.presenceGroups.set(t.target.slot, g)
          if (!g.filters.includes(id)) g.filters.push(id)
          anchorTargets.push(t.target)
        } else {
          const e = this.entry(t)
          if (!e.filters.includes(id)) e.filters.push(id)
          anchorEntries.push(e)
        }
      }
    }
    if (always) this.alwaysFilters.add(id)
    this.filters[id] = {
      definition,
      test,
      tagTests,
      predicateIds,
      anchorEntries,
      anchorTargets,
      always,
    }
    this.filterIds.set(definition.hash, id)
    this.ensureFilterCapacity(id)
  }

  /** Removes a filter by hash; true when it was there. */
  remove(hash: string): boolean {
    const id = this.filterIds.get(hash)
    if (id === undefined) return false
    const f = this.filters[id]
    this.filterIds.delete(hash)
    this.filters[id] = undefined
    this.freeFilterIds.push(id)
    this.alwaysFilters.delete(id)
    if (f === undefined) return true
    for (const e of f.anchorEntries) {
      removeFirst(e.filters, id)
      this.dropIfUnused(e)
    }
    for (const t of f.anchorTargets) {
      const g = this.presenceGroups.get(t.slot)
      if (g !== undefined) removeFirst(g.filters, id)
    }
    for (const pid of f.predicateIds) this.release(pid)
    return true
  }

  /** The filters an interaction matches, each with its tags and tag tree. */
  match(interaction: unknown): FilterMatch[] {
    const ctx = this.ctx
    ctx.reset(interaction)
    const gen = ++this.generation
    this.candidates.length = 0
    this.fireIndexes(gen)
    for (const g of this.presenceGroups.values()) {
      if (g.filters.length === 0 || !isPresent(ctx.value(g.target))) continue
      for (const f of g.filters) this.addCandidate(f, gen)
    }
    for (const f of this.alwaysFilters) this.addCandidate(f, gen)
    const out: FilterMatch[] = []
    for (const fid of this.candidates) {
      const f = this.filters[fid]
      if (f === undefined || !f.test()) continue
      if (f.tagTests.length === 0) {
        out.push({ hash: f.definition.hash, tags: NO_TAGS, tagTree: NO_TAG_TREE })
        continue
      }
      const { tags, tagTree } = evaluateTags(
        f.definition.tagRules,
        (_rule, i) => f.tagTests[i]?.test() === true,
      )
      out.push({ hash: f.definition.hash, tags, tagTree })
    }
    return out
  }

  private addCandidate(fid: number, gen: number): void {
    if (this.candidateStamp[fid] === gen) return
    this.candidateStamp[fid] = gen
    this.candidates.push(fid)
  }

  private fire(e: TriggerEntry, gen: number): void {
    if (e.stamp === gen) return
    e.stamp = gen
    for (const p of e.predicates) {
      this.firedStamp[p] = gen
      if (this.exact[p] === 1) {
        this.memoStamp[p] = gen
        this.memoValue[p] = 1
      }
    }
    for (const f of e.filters) this.addCandidate(f, gen)
  }

  private fireIndexes(gen: number): void {
    for (const g of this.phraseGroups.values()) if (g.index.size > 0) this.firePhrases(g, gen)
    for (const g of this.valueGroups.values()) if (g.map.size > 0) this.fireValues(g, gen)
    for (const e of this.valueSets) this.fireValueSet(e, gen)
    for (const g of this.numberGroups.values()) if (g.map.size > 0) this.fireNumbers(g, gen)
    for (const g of this.urlGroups.values()) if (g.map.size > 0) this.fireUrls(g, gen)
    for (const g of this.geoGroups.values()) if (g.grid.size > 0) this.fireGeo(g)
    for (const g of this.substringGroups.values()) if (g.entries.length > 0) this.fireSubstrings(g)
  }

  private firePhrases(g: PhraseGroup, gen: number): void {
    const { target, config } = g.view
    const texts = config.caseSensitive ? this.ctx.texts(target) : this.ctx.foldedTexts(target)
    if (texts === undefined) return
    for (const text of texts) g.index.scan(text, gen, this.fireCurrent)
  }

  private fireValues(g: ValueGroup, gen: number): void {
    // Most exact-value targets hold one plain string: look it up without building lists.
    if (!g.target.entry.stripsLinksAndMentions) {
      const v = this.ctx.value(g.target)
      if (typeof v === 'string') {
        const e = g.map.get(g.fold ? v.toLowerCase() : v)
        if (e !== undefined) this.fire(e, gen)
        return
      }
    }
    const texts = g.fold ? this.ctx.foldedTexts(g.target) : this.ctx.texts(g.target)
    if (texts === undefined) return
    for (const t of texts) {
      const e = g.map.get(t)
      if (e !== undefined) this.fire(e, gen)
    }
  }

  private fireValueSet(e: TriggerEntry, gen: number): void {
    if (e.trigger.kind !== 'valueSet') return
    const { target, fold, values } = e.trigger
    const texts = this.ctx.texts(target)
    if (texts !== undefined)
      for (const t of texts)
        if (values.has(fold ? t.toLowerCase() : t)) {
          this.fire(e, gen)
          return
        }
    const numbers = this.ctx.numbers(target)
    if (numbers !== undefined)
      for (const n of numbers)
        if (values.has(canonicalNumber(n))) {
          this.fire(e, gen)
          return
        }
  }

  private fireNumbers(g: ValueGroup, gen: number): void {
    const numbers = this.ctx.numbers(g.target)
    if (numbers === undefined) return
    for (const n of numbers) {
      const e = g.map.get(canonicalNumber(n))
      if (e !== undefined) this.fire(e, gen)
    }
  }

  private fireUrls(g: ValueGroup, gen: number): void {
    const texts = this.ctx.texts(g.target)
    if (texts === undefined) return
    for (const t of texts) {
      const e = g.map.get(normalizeUrl(t))
      if (e !== undefined) this.fire(e, gen)
    }
  }

  private fireSubstrings(g: SubstringGroup): void {
    const texts = g.fold ? this.ctx.foldedTexts(g.target) : this.ctx.texts(g.target)
    if (texts === undefined) return
    g.automaton ??= new AhoCorasick(
      g.entries.map((e) => (e.trigger.kind === 'substring' ? e.trigger.text : '\u0000')),
    )
    for (const t of texts) g.automaton.scan(t, g.onMatch)
  }

  private fireGeo(g: GeoGroup): void {
    for (const p of pointsOf(this.ctx.value(g.target))) g.grid.visit(p, this.fireCurrent)
  }

  /** The memoized truth of a predicate for the current interaction. */
  private test(pid: number): boolean {
    const gen = this.generation
    if (this.memoStamp[pid] === gen) return this.memoValue[pid] === 1
    const pp = this.predicates[pid]
    let v = false
    if (pp !== undefined && !(pp.decidedByIndex && this.firedStamp[pid] !== gen))
      v = pp.predicate.test(this.ctx)
    this.memoStamp[pid] = gen
    this.memoValue[pid] = v ? 1 : 0
    return v
  }

  private compileExpr(
    expr: FilterExpr,
    intern: (p: Predicate) => number,
    streams: Map<string, () => boolean>,
  ): () => boolean {
    switch (expr.kind) {
      case 'predicate': {
        const pid = intern(expr.predicate)
        return () => this.test(pid)
      }
      case 'not': {
        const inner = this.compileExpr(expr.operand, intern, streams)
        return () => !inner()
      }
      case 'stream': {
        // A referenced stream is compiled once per filter and evaluated through its predicates'
        // memo, so two filters referencing it share all of its work.
        let s = streams.get(expr.hash)
        if (s === undefined) {
          s = this.compileExpr(expr.filter, intern, streams)
          streams.set(expr.hash, s)
        }
        return s
      }
      case 'and':
      case 'or': {
        const ordered = [...expr.operands].sort((a, b) => this.costOf(a) - this.costOf(b))
        const parts = ordered.map((o) => this.compileExpr(o, intern, streams))
        if (expr.kind === 'and') {
          if (parts.length === 2) {
            const [a, b] = parts as [() => boolean, () => boolean]
            return () => a() && b()
          }
          return () => {
            for (const p of parts) if (!p()) return false
            return true
          }
        }
        if (parts.length === 2) {
          const [a, b] = parts as [() => boolean, () => boolean]
          return () => a() || b()
        }
        return () => {
          for (const p of parts) if (p()) return true
          return false
        }
      }
    }
  }

  private costOf(expr: FilterExpr): number {
    switch (expr.kind) {
      case 'predicate':
        // Index-decided predicates are a stamp lookup; others pay their test.
        return expr.predicate.triggers?.every((t) => t.kind !== 'present') === true
          ? 0.2
          : expr.predicate.cost
      case 'not':
        return this.costOf(expr.operand)
      case 'stream':
        return this.costOf(expr.filter)
      case 'and':
      case 'or':
        return expr.operands.reduce((s, o) => s + this.costOf(o), 0)
    }
  }

  private anchorOf(expr: FilterExpr): Anchor {
    switch (expr.kind) {
      case 'predicate': {
        const triggers = expr.predicate.triggers
        if (triggers === undefined || triggers.length === 0) return undefined
        const probability = triggers.some((t) => t.kind === 'present')
          ? Math.max(expr.predicate.probability, presenceProbability(expr.predicate.target.path))
          : expr.predicate.probability
        return { triggers, probability }
      }
      case 'not':
        return undefined
      case 'stream':
        return this.anchorOf(expr.filter)
      case 'and': {
        let best: Anchor
        for (const o of expr.operands) {
          const a = this.anchorOf(o)
          if (a !== undefined && (best === undefined || a.probability < best.probability)) best = a
        }
        return best
      }
      case 'or': {
        const all: Trigger[] = []
        const probs: number[] = []
        for (const o of expr.operands) {
          const a = this.anchorOf(o)
          if (a === undefined) return undefined
          all.push(...a.triggers)
          probs.push(a.probability)
        }
        return { triggers: all, probability: anyOf(probs) }
      }
    }
  }

  private intern(p: Predicate): number {
    const existing = this.predicateIds.get(p.key)
    if (existing !== undefined) {
      const pp = this.predicates[existing]
      if (pp !== undefined) pp.refs++
      return existing
    }
    const id = this.freePredicateIds.pop() ?? this.predicates.length
    const triggers = p.triggers ?? []
    const decidedByIndex = triggers.length > 0 && triggers.every((t) => t.kind !== 'present')
    const triggerEntries = new Set<TriggerEntry>()
    if (decidedByIndex) for (const t of triggers) triggerEntries.add(this.entry(t))
    for (const e of triggerEntries) e.predicates.push(id)
    this.predicates[id] = {
      predicate: p,
      refs: 1,
      decidedByIndex,
      triggerEntries: [...triggerEntries],
    }
    this.predicateIds.set(p.key, id)
    this.ensurePredicateCapacity(id)
    this.exact[id] = decidedByIndex && p.exactTriggers ? 1 : 0
    return id
  }

  private release(pid: number): void {
    const pp = this.predicates[pid]
    if (pp === undefined || --pp.refs > 0) return
    for (const e of pp.triggerEntries) {
      removeFirst(e.predicates, pid)
      this.dropIfUnused(e)
    }
    this.predicateIds.delete(pp.predicate.key)
    this.predicates[pid] = undefined
    this.freePredicateIds.push(pid)
    this.memoStamp[pid] = -1
    this.firedStamp[pid] = -1
  }

  /** The index entry of a trigger, created (and placed in its index) on first use. */
  private entry(t: Trigger): TriggerEntry {
    const key = triggerKey(t)
    let e = this.entries.get(key)
    if (e !== undefined) return e
    e = new TriggerEntry(t, key)
    this.entries.set(key, e)
    switch (t.kind) {
      case 'phrase': {
        let g = this.phraseGroups.get(t.view.slot)
        if (g === undefined) {
          g = { view: t.view, index: new PhraseIndex(t.view.config) }
          this.phraseGroups.set(t.view.slot, g)
        }
        g.index.add(e, t.tokens)
        break
      }
      case 'value': {
        const gk = `${t.target.slot}|${t.fold ? 'ci' : 'cs'}`
        let g = this.valueGroups.get(gk)
        if (g === undefined) {
          g = { target: t.target, fold: t.fold, map: new Map() }
          this.valueGroups.set(gk, g)
        }
        g.map.set(t.value, e)
        break
      }
      case 'valueSet':
        this.valueSets.push(e)
        break
      case 'number':
      case 'url': {
        const groups = t.kind === 'number' ? this.numberGroups : this.urlGroups
        let g = groups.get(t.target.slot)
        if (g === undefined) {
          g = { target: t.target, fold: false, map: new Map() }
          groups.set(t.target.slot, g)
        }
        g.map.set(t.value, e)
        break
      }
      case 'substring': {
        const gk = `${t.target.slot}|${t.fold ? 'ci' : 'cs'}`
        let g = this.substringGroups.get(gk)
        if (g === undefined) {
          const entries: TriggerEntry[] = []
          const onMatch = (id: number): void => {
            const hit = entries[id]
            if (hit !== undefined) this.fire(hit, this.generation)
          }
          g = { target: t.target, fold: t.fold, entries, automaton: undefined, onMatch }
          this.substringGroups.set(gk, g)
        }
        g.entries.push(e)
        g.automaton = undefined
        break
      }
      case 'geo': {
        let g = this.geoGroups.get(t.target.slot)
        if (g === undefined) {
          g = { target: t.target, grid: new GeoGrid() }
          this.geoGroups.set(t.target.slot, g)
        }
        g.grid.add(e, t.box)
        break
      }
      case 'present':
        break
    }
    return e
  }

  /** Takes an entry no predicate or filter uses any more out of its index. */
  private dropIfUnused(e: TriggerEntry): void {
    if (e.predicates.length > 0 || e.filters.length > 0) return
    this.entries.delete(e.key)
    const t = e.trigger
    switch (t.kind) {
      case 'phrase':
        this.phraseGroups.get(t.view.slot)?.index.remove(e)
        break
      case 'value':
        this.valueGroups.get(`${t.target.slot}|${t.fold ? 'ci' : 'cs'}`)?.map.delete(t.value)
        break
      case 'valueSet':
        removeFirst(this.valueSets, e)
        break
      case 'number':
        this.numberGroups.get(t.target.slot)?.map.delete(t.value)
        break
      case 'url':
        this.urlGroups.get(t.target.slot)?.map.delete(t.value)
        break
      case 'substring': {
        const g = this.substringGroups.get(`${t.target.slot}|${t.fold ? 'ci' : 'cs'}`)
        if (g !== undefined) {
          removeFirst(g.entries, e)
          g.automaton = undefined
        }
        break
      }
      case 'geo':
        this.geoGroups.get(t.target.slot)?.grid.remove(e)
        break
      case 'present':
        break
    }
  }

  private ensurePredicateCapacity(id: number): void {
    if (id < this.memoStamp.length) return
    const size = Math.max(id + 1, this.memoStamp.length * 2)
    this.memoStamp = grow(this.memoStamp, size)
    this.firedStamp = grow(this.firedStamp, size)
    const bytes = (a: Uint8Array): Uint8Array => {
      const next = new Uint8Array(size)
      next.set(a)
      return next
    }
    this.memoValue = bytes(this.memoValue)
    this.exact = bytes(this.exact)
  }

  private ensureFilterCapacity(id: number): void {
    if (id < this.candidateStamp.length) return
    this.candidateStamp = grow(
      this.candidateStamp,
      Math.max(id + 1, this.candidateStamp.length * 2),
    )
  }
}

function grow(a: Int32Array, size: number): Int32Array {
  const next = new Int32Array(size).fill(-1)
  next.set(a)
  return next
}
