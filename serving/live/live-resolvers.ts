import { GraphQLScalarType } from 'graphql'
import { encodeInteraction, type Interaction } from '../../schemas/index.js'
import { userError, type ApiContext } from '../graphql/graphql-resolvers.js'
import { followOwnStream, LiveStreamNotFoundError } from './live-follow.js'
import { LiveCursorError, type LiveMatch } from './live-hub.js'

/** An interaction as the JSON the other deliveries send (the schema's own shape). */
const InteractionScalar = new GraphQLScalarType<Interaction, unknown>({
  name: 'Interaction',
  serialize: (value) => JSON.parse(encodeInteraction(value as Interaction)) as unknown,
})

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
          subscription = await followOwnStream(
            ctx.live,
            ctx.catalog,
            ctx.key.id,
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
          const end = subscription.end
          if (end?.kind === 'slow') throw userError(end.reason, 'SLOW_CONSUMER')
        } finally {
          subscription.close()
        }
      },
    },
  },
}
