import { GraphQLError, type DocumentNode, type ExecutionResult } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import type { ApiContext } from '../graphql/graphql-resolvers.js'
import { ApiRefusal } from './api-refusal.js'
import { operationWork } from './operation-work.js'

function refusalResult(refusal: ApiRefusal): ExecutionResult {
  return {
    errors: [
      new GraphQLError(refusal.message, {
        extensions: {
          code: refusal.code,
          http: { status: refusal.status, headers: refusal.headers },
        },
      }),
    ],
  }
}

/**
 * Charges each operation's work ({@link operationWork}) to its key before it runs, refusing it
 * when it exceeds what one request or the key's budget allows: a hundred aliases compiling
 * filters cost what a hundred requests would.
 */
export function useWorkLimit(
  charge: (keyId: string, units: number) => Promise<void>,
): Plugin<ApiContext> {
  const check = async (
    args: {
      readonly document: unknown
      readonly operationName?: string | null | undefined
      readonly variableValues?: Readonly<Record<string, unknown>> | null | undefined
      readonly contextValue: ApiContext
    },
    stop: (result: ExecutionResult) => void,
  ): Promise<void> => {
    const units = operationWork(
      args.document as DocumentNode,
      args.operationName,
      args.variableValues,
    )
    try {
      await charge(args.contextValue.key.id, units)
    } catch (e) {
      if (!(e instanceof ApiRefusal)) throw e
      stop(refusalResult(e))
    }
  }
  return {
    onExecute: ({ args, setResultAndStopExecution }) => check(args, setResultAndStopExecution),
    onSubscribe: ({ args, setResultAndStopExecution }) => check(args, setResultAndStopExecution),
  }
}
