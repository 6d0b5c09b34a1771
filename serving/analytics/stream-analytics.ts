import {
  AUTHOR_INFLUENCE_VIEW,
  DOMAIN_INFLUENCE_VIEW,
  dimensionKey,
  isKeyed,
  topEntries,
  type AuthorInfluence,
  type DomainInfluence,
  type Granularity,
  type HyperLogLog,
  type TopDimension,
  type TopEntry,
  type TopSummary,
  type View,
  type VolumeDimension,
} from '../../schemas/index.js'
import type { BucketSource, Coverage, MergedViews } from './merged-views.js'

/** A stream and a time range `[from, to)` (epoch ms). */
export interface StreamSpan {
  readonly stream: string
  readonly from: number
  readonly to: number
}

export interface SeriesPoint {
  readonly at: number
  /** The dimension's value ('' for the total). */
  readonly value: string
  readonly count: number
  readonly source: BucketSource
}

export interface InfluencerRow extends AuthorInfluence {
  readonly author: string
}

export interface DomainRow {
  readonly domain: string
  readonly links: number
  readonly uniqueSharers: number
}

/** The HyperLogLog's standard error with 4,096 registers (1.04 / √m). */
export const UNIQUES_RELATIVE_ERROR = 1.04 / Math.sqrt(4096)

/**
 * The analytics a stream offers, as the API answers them: merged values shaped for people
 * (counts per bucket, ranked lists, estimates), each with the coverage it came from.
 */
export class StreamAnalytics {
  constructor(private readonly views: MergedViews) {}

  /**
   * A stream's backfill: complete once a batch version built with the stream is served; until
   * then its buckets before the watermark read as empty.
   */
  history(stream: string): { version: number; watermark: number; complete: boolean } {
    const { version, watermark, covered } = this.views.batchHistory(stream)
    return { version, watermark, complete: covered }
  }

  async timeseries(
    span: StreamSpan & { readonly granularity: Granularity; readonly dimension?: VolumeDimension },
  ): Promise<{ readonly coverage: Coverage; readonly points: readonly SeriesPoint[] }> {
    const prefix = span.dimension === undefined ? undefined : dimensionKey(span.dimension, '')
    const { coverage, rows } = await this.views.series({
      stream: span.stream,
      view: prefix === undefined ? 'volume' : 'volume_by',
      granularity: span.granularity,
      from: span.from,
      to: span.to,
      ...(prefix === undefined ? {} : { keyPrefix: prefix }),
    })
    return {
      coverage,
      points: rows.map((r) => ({
        at: r.bucket,
        value: prefix === undefined ? '' : r.key.slice(prefix.length),
        count: r.value as number,
        source: r.source,
      })),
    }
  }

  async uniqueAuthors(
    span: StreamSpan,
  ): Promise<{ readonly coverage: Coverage; readonly estimate: number }> {
    const { coverage, values } = await this.views.total({ ...span, view: 'unique_authors' })
    const sketch = values.get('') as HyperLogLog | undefined
    return { coverage, estimate: Math.round(sketch?.estimate() ?? 0) }
  }

  async top(
    span: StreamSpan & { readonly dimension: TopDimension; readonly k: number },
  ): Promise<{ readonly coverage: Coverage; readonly entries: readonly TopEntry[] }> {
    const { coverage, values } = await this.views.total({
      ...span,
      view: 'top',
      keyPrefix: span.dimension,
    })
    const summary = values.get(span.dimension) as TopSummary | undefined
    return { coverage, entries: summary === undefined ? [] : topEntries(summary, span.k) }
  }

  /** A keyed view's entries over the span, ranked by the view's own rank (ties by key). */
  private async ranked<V>(
    span: StreamSpan & { readonly k: number },
    view: View,
  ): Promise<{ readonly coverage: Coverage; readonly entries: readonly (readonly [string, V])[] }> {
    if (!isKeyed(view.monoid)) throw new Error(`${view.name} is not a keyed view`)
    const rank = view.monoid.rank.bind(view.monoid) as (value: V) => number
    const { coverage, values } = await this.views.total({ ...span, view: view.name })
    const map = (values.get('') as Map<string, V> | undefined) ?? new Map<string, V>()
    const entries = [...map]
      .sort(([ka, a], [kb, b]) => rank(b) - rank(a) || (ka < kb ? -1 : 1))
      .slice(0, span.k)
    return { coverage, entries }
  }

  async influencers(
    span: StreamSpan & { readonly k: number },
  ): Promise<{ readonly coverage: Coverage; readonly authors: readonly InfluencerRow[] }> {
    const { coverage, entries } = await this.ranked<AuthorInfluence>(span, AUTHOR_INFLUENCE_VIEW)
    return { coverage, authors: entries.map(([author, v]) => ({ author, ...v })) }
  }

  async domains(
    span: StreamSpan & { readonly k: number },
  ): Promise<{ readonly coverage: Coverage; readonly domains: readonly DomainRow[] }> {
    const { coverage, entries } = await this.ranked<DomainInfluence>(span, DOMAIN_INFLUENCE_VIEW)
    return {
      coverage,
      domains: entries.map(([domain, v]) => ({
        domain,
        links: v.links,
        uniqueSharers: Math.round(v.sharers.estimate()),
      })),
    }
  }
}
