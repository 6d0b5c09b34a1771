/**
 * The route-lease port: who may write a speed route now. A member announces itself with
 * heartbeats; a route's lease names one member and an epoch that grows with every new holder,
 * and lapses unless renewed within its time to live. Leases give each route one writer in the
 * steady state (no commit contention); the speed store's conditional commit stays the fence
 * against a holder that lost its lease while paused and wakes up mid-commit.
 *
 * @example
 *   const members = await leases.heartbeat('speed-a', 6000)
 *   const epoch = await leases.acquire(3, 'speed-a', 6000) // undefined: another holds it
 */
export interface RouteLeases {
  readonly location: string
  /** Announces `member` alive for `ttlMs`; returns the live members, sorted. */
  heartbeat(member: string, ttlMs: number): Promise<readonly string[]>
  /** Takes route `route` if nobody holds it; the new epoch, or undefined when it is held. */
  acquire(route: number, member: string, ttlMs: number): Promise<number | undefined>
  /** Extends the lease if `member` still holds it at `epoch`; false when it lapsed or moved. */
  renew(route: number, member: string, epoch: number, ttlMs: number): Promise<boolean>
  /** Gives the lease up if `member` still holds it at `epoch`. */
  release(route: number, member: string, epoch: number): Promise<void>
  /** Withdraws `member` (its leases lapse or are released by it). */
  leave(member: string): Promise<void>
  close(): Promise<void>
}
