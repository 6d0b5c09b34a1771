/**
 * The vocabulary of the interaction schema: value types, the interaction types (sources) that
 * fill targets, and the shape of one target definition. Everything else in `schemas/` is derived
 * from the target list built with these.
 */

/**
 * Value types a target can hold.
 *
 * - `string`    UTF-16 JS string.
 * - `int`       integer that fits a signed 32-bit column (counts, scores, confidences).
 * - `long`      signed 64-bit integer held as `bigint` (tweet-era ids exceed 2^53).
 * - `float`     IEEE double.
 * - `bool`      true/false.
 * - `timestamp` milliseconds since the Unix epoch, UTC.
 * - `geo`       a point `{ latitude, longitude }` in decimal degrees (latitude first, as CSDL).
 */
export const TARGET_TYPES = ['string', 'int', 'long', 'float', 'bool', 'timestamp', 'geo'] as const
export type TargetType = (typeof TARGET_TYPES)[number]

/** The interaction types, i.e. the networks whose records Sluice normalizes. */
export const INTERACTION_TYPES = ['twitter', 'reddit', 'facebook', 'foursquare'] as const
export type InteractionType = (typeof INTERACTION_TYPES)[number]

/** A point on Earth, latitude first (CSDL order, not GeoJSON order). */
export interface GeoPoint {
  readonly latitude: number
  readonly longitude: number
}

/** The in-memory value of one element of a target of type `T`. */
export type ScalarValue<T extends TargetType> = T extends 'string'
  ? string
  : T extends 'int' | 'float' | 'timestamp'
    ? number
    : T extends 'long'
      ? bigint
      : T extends 'bool'
        ? boolean
        : T extends 'geo'
          ? GeoPoint
          : never

/**
 * One target of the schema: a leaf of the interaction addressed by a dotted CSDL path.
 *
 * `text: 'stripped'` marks text targets whose links and @mentions are removed before text
 * operators see them (csdl.md §3.5). `url: true` marks URL-valued strings (they accept `url_in`).
 */
export interface TargetDef {
  readonly path: string
  readonly type: TargetType
  readonly list: boolean
  readonly sources: readonly InteractionType[]
  readonly doc: string
  readonly url?: boolean
  readonly text?: 'stripped'
}

/** The in-memory value of target `D`: a scalar, or a readonly array for list targets. */
export type TargetValue<D extends TargetDef> = D['list'] extends true
  ? readonly ScalarValue<D['type']>[]
  : ScalarValue<D['type']>

interface TargetOptions<L extends boolean> {
  readonly list?: L
  readonly url?: boolean
  readonly text?: 'stripped'
}

/**
 * Builds one target definition, keeping the path and type as literal types so the TypeScript
 * shape of the interaction can be derived from the list.
 *
 * @example target('twitter.user.followers_count', 'int', TW, 'Followers of the author.')
 */
export function target<
  const P extends string,
  const T extends TargetType,
  const L extends boolean = false,
>(
  path: P,
  type: T,
  sources: readonly InteractionType[],
  doc: string,
  options: TargetOptions<L> = {},
): {
  readonly path: P
  readonly type: T
  readonly list: L
  readonly sources: readonly InteractionType[]
  readonly doc: string
  readonly url?: boolean
  readonly text?: 'stripped'
} {
  const def = { path, type, list: (options.list ?? false) as L, sources, doc }
  return {
    ...def,
    ...(options.url === true ? { url: true } : {}),
    ...(options.text !== undefined ? { text: options.text } : {}),
  }
}

/** Every source. */
export const ALL_SOURCES: readonly InteractionType[] = INTERACTION_TYPES
export const TW: readonly InteractionType[] = ['twitter']
export const RD: readonly InteractionType[] = ['reddit']
export const FB: readonly InteractionType[] = ['facebook']
export const FSQ: readonly InteractionType[] = ['foursquare']
