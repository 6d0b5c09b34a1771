import { GraphQLScalarType } from 'graphql'
import { encodeInteraction, type Interaction } from '../../schemas/index.js'
import { userError, type ApiContext } from '../graphql/graphql-resolvers.js'
import { LiveStreamNotFoundError } from './live-access.js'
import { LiveCursorError, type LiveEnd, type LiveMatch } from './live-hub.js'

/** An interaction as the JSON the other deliveries send (the schema's own shape). */
const InteractionScalar = new GraphQLScalarType<Interaction, unknown>({
  name: 'Interaction',
  serialize: (value) => JSON.parse(encodeInteraction(value as Interaction)) as unknown,
})

/** How a subscription that ended by itself tells its client why. */
export function endError(end: LiveEnd | undefined): Error | undefined {
  if (end?.kind === 'slow') return userError(end.reason, 'SLOW_CONSUMER')
  if (end?.kind === 'refused') return userError(end.reason, 'UNAUTHENTICATED')
  return undefined
}

/** The live part of the GraphQL API: `subscription { matches(stream, cursor) }` (SSE). */
export const LIVE_RESOLVERS = {
  Interaction: InteractionScalar,
  Subscription: {
    matches: {
      subscribe: async function* (
        _: unknown,
        { stream, cursor }: { stream: string; cursor?: string | null },
        ctx: ApiContext,
      ): AsyncGenerator<{ matches: LiveMatch }> {
        if (ctx.live === undefined)
          throw userError('this server follows no matches channel', 'UNAVAILABLE')
        let subscription
        try {
          subscription = await ctx.live.followOwn(
            { keyId: ctx.key.id, stillValid: ctx.keyStillValid },
            stream,
            cursor ?? undefined,
          )
        } catch (e) {
          if (e instanceof LiveStreamNotFoundError) throw userError(e.message, 'NOT_FOUND')
          if (e instanceof LiveCursorError) throw userError(e.message, 'CURSOR_EXPIRED')
          throw e
        }
        try {
          for await (const m of subscription) yield { matches: m }
          const error = endError(subscription.end)
          if (error !== undefined) throw error
        } finally {
          subscription.close()
        }
      },
    },
  },
}
