/**
 * The raw record formats Sluice reads. `auto` (see `detectFormat`) picks one per record.
 *
 * - `twitter-v1`               Twitter API v1.1 tweet objects (REST and streaming), and their stream messages.
 * - `twitter-v2`               Twitter API v2 responses (`data` + `includes`), and v2 compliance events.
 * - `twitter-activity-streams` Gnip / PowerTrack Activity Streams.
 * - `reddit`                   Reddit API `t1`/`t3` data objects and pushshift dump lines.
 * - `facebook`                 Graph API post and comment objects.
 * - `foursquare`               Foursquare v2 check-in objects.
 */
export const SOURCE_FORMATS = [
  'twitter-v1',
  'twitter-v2',
  'twitter-activity-streams',
  'reddit',
  'facebook',
  'foursquare',
] as const
export type SourceFormat = (typeof SOURCE_FORMATS)[number]

/** A format, or `auto` to detect it per record. */
export type FormatChoice = SourceFormat | 'auto'

/** Validates a user-supplied format name. */
export function isFormatChoice(value: string): value is FormatChoice {
  return value === 'auto' || (SOURCE_FORMATS as readonly string[]).includes(value)
}
