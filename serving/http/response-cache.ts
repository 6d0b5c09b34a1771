import {
  getOperationAST,
  Kind,
  OperationTypeNode,
  type DocumentNode,
  type ExecutionResult,
} from 'graphql'
import type { Plugin, YogaInitialContext } from 'graphql-yoga'
import type { ApiContext } from '../graphql/graphql-resolvers.js'

interface CachedAnswer {
  readonly at: number
  /** Settles with the answer, or undefined when it had errors (never reused). */
  readonly result: Promise<ExecutionResult | undefined>
}

// Past this many answers, expired ones are swept; past it again, all are dropped.
const MAX_ANSWERS = 10_000

/**
 * Whole answers reused for `ttlMs` per API key: a dashboard polling the same 30-day series gets
 * it without resolving 720 points again. It runs once the key is verified and counted against
 * its rate (the context is built), so a cached answer never skips either. Answers are never
 * shared between keys, since streams are owned per key; answers with errors are not reused.
 *
 * When an answer expires under load, the first request computes it and the others asking the
 * same wait for that one instead of computing it too. yoga's response-cache plugin does not
 * (every request of a burst at expiry recomputed: p99 289 ms in bench/serve), and it answers
 * before the context is built, so a conditional request (If-None-Match) got a 304 without a key.
 *
 * A key's mutation (creating or deleting a stream, managing keys) starts a new generation of
 * its answers, on starting and again on finishing, so nothing that key reads afterwards on this
 * server predates it. Other servers see the change once their answer expires (within `ttlMs`),
 * as they see a new batch version or newer speed rows.
 */
export function responseCachePlugin(
  ttlMs: number,
  onReuse: () => void = () => undefined,
): Plugin<ApiContext & YogaInitialContext> {
  const generations = new Map<string, number>()
  const answers = new Map<string, CachedAnswer>()
  const bump = (keyId: string): void => {
    generations.set(keyId, (generations.get(keyId) ?? 0) + 1)
  }
  const sweep = (now: number): void => {
    if (answers.size < MAX_ANSWERS) return
    for (const [k, a] of answers) if (now - a.at >= ttlMs) answers.delete(k)
    if (answers.size >= MAX_ANSWERS) answers.clear()
  }
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const operation = getOperationAST(
        args.document as DocumentNode,
        (args.operationName as string | null | undefined) ?? undefined,
      )
      const keyId = args.contextValue.key.id
      if (operation?.operation === OperationTypeNode.MUTATION) {
        bump(keyId)
        return { onExecuteDone: () => bump(keyId) }
      }
      if (operation?.operation !== OperationTypeNode.QUERY) return
      // Administration reads are always fresh.
      const fields = operation.selectionSet.selections
      if (
        fields.some(
          (f) => f.kind === Kind.FIELD && (f.name.value === 'apiKeys' || f.name.value === 'me'),
        )
      )
        return
      const { params } = args.contextValue
      const cacheKey = `${keyId}/${generations.get(keyId) ?? 0}\0${params.operationName ?? ''}\0${params.query ?? ''}\0${JSON.stringify(params.variables ?? {})}`
      const now = Date.now()
      const known = answers.get(cacheKey)
      if (known !== undefined && now - known.at < ttlMs)
        return known.result.then((result) => {
          if (result === undefined) return
          onReuse()
          setResultAndStopExecution(result)
        })
      let settle: (result: ExecutionResult | undefined) => void = () => undefined
      const entry: CachedAnswer = { at: now, result: new Promise((r) => (settle = r)) }
      sweep(now)
      answers.set(cacheKey, entry)
      // Whatever happens to this execution, requests waiting on it go on by themselves.
      const abandon = setTimeout(() => settle(undefined), ttlMs)
      return {
        onExecuteDone({ result, setResult }) {
          clearTimeout(abandon)
          if (Symbol.asyncIterator in result || result.errors !== undefined) {
            if (answers.get(cacheKey) === entry) answers.delete(cacheKey)
            settle(undefined)
            return
          }
          // yoga serializes with a result's own `stringify` when it has one: the JSON text of
          // a reused answer is made once, not once per request.
          let text: string | undefined
          const reusable = {
            ...result,
            stringify: (r: ExecutionResult) => (text ??= JSON.stringify(r)),
          }
          setResult(reusable)
          settle(reusable)
        },
      }
    },
  }
}
