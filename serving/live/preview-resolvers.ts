import {
  ALL_INTERACTIONS_CSDL,
  EvalContext,
  matchDefinition,
  streamHash,
} from '../../query-dsl/index.js'
import type { Interaction } from '../../schemas/index.js'
import { asCsdlError, userError, type ApiContext } from '../graphql/graphql-resolvers.js'
import { endError } from './live-resolvers.js'

/** The preview part of the GraphQL schema (extends the Subscription of graphql-schema.ts). */
export const PREVIEW_TYPE_DEFS = /* GraphQL */ `
  "What a filter's preview found since its last batch."
  type PreviewBatch {
    "Interactions the filter has been run on since the preview began."
    seen: Float!
    "How many of them it matched."
    matched: Float!
    "Matches since the last batch (at most 200 a batch: a busy filter's are sampled)."
    interactions: [Interaction!]!
  }

  extend type Subscription {
    "Runs a CSDL filter, saved or not, over the live firehose (every interaction the speed layer commits) and sends what it matches about twice a second. Nothing is stored; a filter that does not compile is refused with CSDL_INVALID and its positioned errors."
    preview(csdl: String!): PreviewBatch!
  }
`

/** How often a preview sends what it found, while interactions arrive. */
export const PREVIEW_BATCH_MS = 500
/** Interactions a preview batch carries at most; the counts stay exact. */
export const PREVIEW_BATCH_LIMIT = 200

interface PreviewBatch {
  readonly seen: number
  readonly matched: number
  readonly interactions: readonly Interaction[]
}

/** The all-interactions stream's hash: the firehose as the matches channel carries it. */
const FIREHOSE = streamHash(ALL_INTERACTIONS_CSDL)

export const PREVIEW_RESOLVERS = {
  Subscription: {
    preview: {
      subscribe: async function* (
        _: unknown,
        { csdl }: { csdl: string },
        ctx: ApiContext,
      ): AsyncGenerator<{ preview: PreviewBatch }> {
        if (ctx.live === undefined)
          throw userError('this server follows no matches channel', 'UNAVAILABLE')
        let definition
        try {
          definition = await ctx.filters.definition(ctx.key.id, csdl)
        } catch (e) {
          throw asCsdlError(e)
        }
        const subscription = await ctx.live.followSystem(
          { keyId: ctx.key.id, stillValid: ctx.keyStillValid },
          FIREHOSE,
        )
        const evaluation = new EvalContext()
        let seen = 0
        let matched = 0
        let batch: Interaction[] = []
        let sentAt = Date.now()
        try {
          for await (const { interaction } of subscription) {
            seen++
            if (matchDefinition(definition, interaction, evaluation) !== undefined) {
              matched++
              if (batch.length < PREVIEW_BATCH_LIMIT) batch.push(interaction)
            }
            const now = Date.now()
            if (now - sentAt < PREVIEW_BATCH_MS) continue
            yield { preview: { seen, matched, interactions: batch } }
            batch = []
            sentAt = now
          }
          const error = endError(subscription.end)
          if (error !== undefined) throw error
        } finally {
          subscription.close()
        }
      },
    },
  },
}
