/** The queue collectors hand raw-log lines to and the speed layer consumes. */
export const HANDOFF_QUEUE = 'handoff'

/**
 * A hand-off job: consecutive raw-log lines (envelopes) of one segment. Job id
 * `<collector>-<segment>-<first line>`, so handing a segment off again after a crash adds
 * nothing the queue still remembers.
 */
export interface HandoffJob {
  readonly collector: string
  readonly segment: number
  readonly firstSeq: number
  readonly lines: readonly string[]
}
