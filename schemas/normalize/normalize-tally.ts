import type { NormalizeErrorCode } from './normalize-error.js'
import type { NormalizeOutcome } from './normalize-outcome.js'
import type { NoticeKind } from './stream-notice.js'

/** A malformed record kept for the report: where it was and why it was set aside. */
export interface MalformedSample {
  readonly line: number
  readonly code: NormalizeErrorCode
  readonly reason: string
}

/** How many malformed records are kept verbatim for the report; the rest are only counted. */
export const DEFAULT_SAMPLE_LIMIT = 5

/**
 * Counts what a run of normalization produced: records read, interactions written, notices by
 * kind, malformed records by code, and the first few reasons with their line numbers.
 *
 * @example
 * const tally = new NormalizeTally()
 * tally.add(normalizeLine(line, 'auto'), 1)
 * process.stderr.write(tally.report())
 */
export class NormalizeTally {
  records = 0
  interactions = 0
  notices = 0
  malformed = 0
  readonly noticesByKind = new Map<NoticeKind, number>()
  readonly malformedByCode = new Map<NormalizeErrorCode, number>()
  readonly samples: MalformedSample[] = []

  constructor(private readonly sampleLimit: number = DEFAULT_SAMPLE_LIMIT) {}

  /** Accounts for the outcome of the record read from `line` (1-based). */
  add(outcome: NormalizeOutcome, line: number): void {
    this.records++
    switch (outcome.kind) {
      case 'interactions':
        this.interactions += outcome.interactions.length
        for (const e of outcome.rejected) this.countMalformed(e.code, e.message, line)
        return
      case 'notice':
        this.notices++
        this.noticesByKind.set(
          outcome.notice.kind,
          (this.noticesByKind.get(outcome.notice.kind) ?? 0) + 1,
        )
        return
      case 'malformed':
        this.countMalformed(outcome.error.code, outcome.error.message, line)
        return
    }
  }

  private countMalformed(code: NormalizeErrorCode, reason: string, line: number): void {
    this.malformed++
    this.malformedByCode.set(code, (this.malformedByCode.get(code) ?? 0) + 1)
    if (this.samples.length < this.sampleLimit) this.samples.push({ line, code, reason })
  }

  /** A human-readable summary, several lines, ending with a newline. */
  report(): string {
    const kinds = [...this.noticesByKind].map(([k, n]) => `${k} ${n}`).join(', ')
    const codes = [...this.malformedByCode].map(([k, n]) => `${k} ${n}`).join(', ')
    const lines = [
      `records read:          ${this.records}`,
      `interactions written:  ${this.interactions}`,
      `notices:               ${this.notices}${kinds === '' ? '' : ` (${kinds})`}`,
      `malformed:             ${this.malformed}${codes === '' ? '' : ` (${codes})`}`,
      ...this.samples.map((s) => `  line ${s.line}: ${s.code}: ${s.reason}`),
    ]
    return `${lines.join('\n')}\n`
  }
}
