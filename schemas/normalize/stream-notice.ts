import type { SourceFormat } from './source-format.js'

/**
 * Stream traffic that is not a post: recognised, counted and reported as such, never as an
 * error. Deletions and compliance events matter downstream (they must eventually remove data);
 * the rest is flow control.
 *
 * - `keep_alive`      an empty line sent to keep a streaming connection open.
 * - `delete`          a status deletion (v1 `delete`) or a v2 compliance `delete` event.
 * - `compliance`      another v2 compliance event (`protect`, `suspend`, `scrub_geo`, …).
 * - `scrub_geo`       v1 request to remove geo data up to a status id.
 * - `limit`           v1 rate-limit notice (how many matches were not delivered).
 * - `withheld`        v1 `status_withheld` / `user_withheld`.
 * - `disconnect`, `warning`  v1 connection control messages.
 * - `friends`         v1 user-stream friends list preamble.
 * - `event`           v1 user-stream event (favorite, follow, …).
 * - `direct_message`  v1 user-stream direct message (private; never an interaction).
 * - `api_errors`      a v2 response holding only errors and no data.
 * - `empty_page`      a v2 response with no data (result_count 0).
 */
export const NOTICE_KINDS = [
  'keep_alive',
  'delete',
  'compliance',
  'scrub_geo',
  'limit',
  'withheld',
  'disconnect',
  'warning',
  'friends',
  'event',
  'direct_message',
  'api_errors',
  'empty_page',
] as const
export type NoticeKind = (typeof NOTICE_KINDS)[number]

/** One stream notice: what it was, and the id it concerns when it names one. */
export interface StreamNotice {
  readonly kind: NoticeKind
  readonly format: SourceFormat | undefined
  /** The status or user id a deletion/compliance notice refers to, as a decimal string. */
  readonly subjectId?: string
}
