/**
 * batch/: batch views recomputed from the master dataset. So far: folding interactions into
 * every view of every matching stream (issue 6 in progress).
 */
export {
  aggregateInteractions,
  aggregateKey,
  parseAggregateKey,
  ViewAggregates,
  type AggregateKey,
} from './view-aggregates.js'
