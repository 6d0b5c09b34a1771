import { Registry, collectDefaultMetrics } from 'prom-client'
import type {
  HandoffStats,
  IngestStats,
  RawLogStats,
  UploaderStats,
} from '../../collectors/index.js'
import { polledCounter, polledGauge } from '../metrics/polled-metrics.js'

export interface CollectorStatsSources {
  readonly ingest: () => IngestStats
  readonly log: () => RawLogStats
  readonly uploader: () => UploaderStats
  readonly handoff?: (() => HandoffStats) | undefined
  /** Add the process metrics (default); a collector inside a stack leaves them to its API. */
  readonly defaultMetrics?: boolean
}

/** The collector's Prometheus metrics, read from the components' own counters at scrape time. */
export function collectorMetrics(sources: CollectorStatsSources): Registry {
  const registry = new Registry()
  if (sources.defaultMetrics !== false)
    collectDefaultMetrics({ register: registry, prefix: 'sluice_collector_' })
  const counter = (name: string, help: string, read: () => number): void => {
    polledCounter(registry, name, help, read)
  }
  const gauge = (name: string, help: string, read: () => number): void => {
    polledGauge(registry, name, help, read)
  }
  counter(
    'sluice_collector_records_accepted_total',
    'Records stored in the raw log',
    () => sources.ingest().accepted,
  )
  counter(
    'sluice_collector_records_duplicate_total',
    'Records dropped as duplicates within the window',
    () => sources.ingest().duplicates,
  )
  counter(
    'sluice_collector_records_malformed_total',
    'Lines set aside as malformed',
    () => sources.ingest().malformed,
  )
  counter('sluice_collector_batches_total', 'Batches ingested', () => sources.ingest().batches)
  counter(
    'sluice_collector_received_bytes_total',
    'Body bytes ingested',
    () => sources.ingest().bytes,
  )
  counter(
    'sluice_collector_log_bytes_total',
    'Bytes appended to the raw log',
    () => sources.log().bytes,
  )
  counter(
    'sluice_collector_log_write_errors_total',
    'Failed raw-log writes',
    () => sources.log().writeErrors,
  )
  counter(
    'sluice_collector_segments_sealed_total',
    'Raw-log segments sealed',
    () => sources.log().segmentsSealed,
  )
  gauge(
    'sluice_collector_log_pending_bytes',
    'Bytes queued for disk',
    () => sources.log().pendingBytes,
  )
  counter(
    'sluice_collector_segments_uploaded_total',
    'Segments uploaded and verified',
    () => sources.uploader().uploaded,
  )
  counter(
    'sluice_collector_upload_failures_total',
    'Failed upload attempts',
    () => sources.uploader().failures,
  )
  gauge(
    'sluice_collector_upload_waiting_segments',
    'Sealed segments waiting for upload',
    () => sources.uploader().waiting,
  )
  gauge(
    'sluice_collector_upload_waiting_bytes',
    'Bytes waiting for upload',
    () => sources.uploader().waitingBytes,
  )
  gauge(
    'sluice_collector_upload_lag_seconds',
    'Age of the oldest segment waiting for upload',
    () => sources.uploader().oldestWaitingMs / 1000,
  )
  const handoff = sources.handoff
  if (handoff !== undefined) {
    counter(
      'sluice_collector_handoff_records_total',
      'Records handed to the queue',
      () => handoff().records,
    )
    counter(
      'sluice_collector_handoff_failures_total',
      'Failed hand-off attempts',
      () => handoff().failures,
    )
    gauge(
      'sluice_collector_handoff_lag_seconds',
      'Age of the oldest segment waiting for the queue',
      () => handoff().oldestBehindMs / 1000,
    )
  }
  return registry
}
