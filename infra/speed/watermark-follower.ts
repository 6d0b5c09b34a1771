import { currentViewVersion, readViewManifest } from '../../batch/index.js'
import { thresholdCheck, type HealthCheck } from '../../schemas/index.js'
import type { ObjectStore, SpeedStore } from '../../schemas/ports/index.js'
import { expireBefore } from '../../speed/index.js'

/** The published batch version's watermark, or -Infinity before the first one. */
export async function publishedWatermark(store: ObjectStore): Promise<number> {
  const manifest = await readViewManifest(store, await currentViewVersion(store))
  return manifest?.watermark ?? -Infinity
}

/**
 * The batch watermark as the speed layer applies it: read from the published version, and on
 * each newer one the speed rows before the *previous* watermark are dropped (an API server
 * still answering from the previous version reads speed rows from that watermark on).
 */
export class WatermarkFollower {
  private current = -Infinity

  constructor(
    private readonly objects: ObjectStore,
    private readonly speed: SpeedStore,
    private readonly routes: number,
  ) {}

  private writes: (route: number) => boolean = () => true

  /** Expires only the routes `writes` says this process writes (each route's writer does). */
  writesOnly(writes: (route: number) => boolean): void {
    this.writes = writes
  }

  get watermark(): number {
    return this.current
  }

  /** Reads the published watermark; when it moved, expires; returns what changed. */
  async refresh(): Promise<{ readonly moved: boolean; readonly dropped: number }> {
    const next = await publishedWatermark(this.objects)
    if (!(next > this.current)) return { moved: false, dropped: 0 }
    const previous = this.current
    this.current = next
    const dropped = Number.isFinite(previous)
      ? await expireBefore(this.speed, this.routes, previous, this.writes)
      : 0
    return { moved: true, dropped }
  }
}

/**
 * The health of a batch watermark's age: degraded past `warnHours`, failing past `failHours`
 * (the speed rows' TTL: past it, speed rows after the watermark may have expired). No version,
 * or one holding no interactions, means the speed layer holds everything.
 */
export function watermarkAgeCheck(
  watermark: number,
  warnHours: number,
  failHours: number,
  version?: number,
): HealthCheck {
  if (!Number.isFinite(watermark))
    return { status: 'ok', detail: 'no batch version yet: the speed layer holds everything' }
  if (watermark <= 0)
    return {
      status: 'degraded',
      detail: 'the batch version holds no interactions yet: answers come from the speed layer',
    }
  const hours = (Date.now() - watermark) / 3_600_000
  return thresholdCheck(
    hours,
    warnHours,
    failHours,
    `${version === undefined ? '' : `version ${version}, `}batch watermark ${new Date(watermark).toISOString()} (${hours.toFixed(1)} h old; speed rows live ${failHours} h)`,
  )
}
