import { createHash } from 'node:crypto'
import {
  getOperationAST,
  Kind,
  OperationTypeNode,
  print,
  type DocumentNode,
  type ExecutionResult,
  type OperationDefinitionNode,
} from 'graphql'
import type { Plugin, YogaInitialContext } from 'graphql-yoga'
import { LRUCache } from 'lru-cache'
import type { ApiContext } from '../graphql/graphql-resolvers.js'

interface CachedAnswer {
  /** Settles with the answer, or undefined when it had errors (never reused). */
  readonly result: Promise<ExecutionResult | undefined>
  /** Bytes it holds: the JSON text once made (an estimate while it is computed). */
  size: number
}

export interface ResponseCacheOptions {
  /** How long an answer is reused. */
  readonly ttlMs: number
  /** Bytes all kept answers may hold (default 64 MiB); the least recently used go first. */
  readonly maxBytes?: number
  readonly onReuse?: () => void
}

// What an answer being computed is counted as until its size is known.
const PENDING_BYTES = 1024

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

/**
 * The operation's own text, normalized by printing it (with the document's fragments), hashed
 * once per parsed document (yoga parses the same text into the same document).
 */
const documentHashes = new WeakMap<DocumentNode, string>()
function documentHash(document: DocumentNode): string {
  let hash = documentHashes.get(document)
  if (hash === undefined) {
    hash = sha256(print(document))
    documentHashes.set(document, hash)
  }
  return hash
}

/**
 * The variables the operation declares, and only those: graphql-js ignores the others, so they
 * cannot change the answer and must not make a new entry (nor be kept in one).
 */
function declaredVariables(
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | undefined,
): string {
  const declared: Record<string, unknown> = {}
  for (const d of operation.variableDefinitions ?? []) {
    const name = d.variable.name.value
    if (variables !== undefined && name in variables) declared[name] = variables[name]
  }
  return JSON.stringify(declared)
}

/**
 * An answer with its JSON text made once: yoga serializes with a result's own `stringify` when
 * it has one, so a reused answer is not serialized once per request. Made here, outside the
 * plugin's hooks, so that what the cache keeps closes over the answer alone: a closure made
 * inside a hook would keep the hook's scope alive, and with it the request and its variables.
 */
function reusableAnswer(result: ExecutionResult): {
  readonly answer: ExecutionResult
  readonly size: number
} {
  const text = JSON.stringify(result)
  return { answer: { ...result, stringify: () => text } as ExecutionResult, size: text.length }
}

/**
 * Whole answers reused for `ttlMs` per API key: a dashboard polling the same 30-day series gets
 * it without resolving 720 points again. It runs once the key is verified and counted against
 * its rate (the context is built), so a cached answer never skips either. Answers are never
 * shared between keys, since streams are owned per key; answers with errors are not reused.
 *
 * Entries are keyed by a hash of the key, the printed operation and the variables it declares,
 * and held in an LRU bounded in bytes: no request, however large or varied, makes the cache
 * outgrow `maxBytes`.
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
export function useResponseCache(
  options: ResponseCacheOptions,
): Plugin<ApiContext & YogaInitialContext> {
  const { ttlMs } = options
  const onReuse = options.onReuse ?? (() => undefined)
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024
  const generations = new Map<string, number>()
  const answers = new LRUCache<string, CachedAnswer>({
    maxSize: maxBytes,
    // One answer may take an eighth of the room; a larger one is served, not kept.
    maxEntrySize: Math.max(PENDING_BYTES, Math.floor(maxBytes / 8)),
    sizeCalculation: (a, k) => a.size + k.length,
    ttl: ttlMs,
  })
  const bump = (keyId: string): void => {
    generations.set(keyId, (generations.get(keyId) ?? 0) + 1)
  }
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const document = args.document as DocumentNode
      const operation = getOperationAST(
        document,
        (args.operationName as string | null | undefined) ?? undefined,
      )
      const keyId = args.contextValue.key.id
      if (operation?.operation === OperationTypeNode.MUTATION) {
        bump(keyId)
        return { onExecuteDone: () => bump(keyId) }
      }
      if (operation == null || operation.operation !== OperationTypeNode.QUERY) return
      // Administration reads are always fresh.
      const fields = operation.selectionSet.selections
      if (
        fields.some(
          (f) => f.kind === Kind.FIELD && (f.name.value === 'apiKeys' || f.name.value === 'me'),
        )
      )
        return
      const cacheKey = sha256(
        `${keyId}\0${generations.get(keyId) ?? 0}\0${operation.name?.value ?? ''}\0${documentHash(document)}\0${declaredVariables(operation, args.variableValues as Record<string, unknown> | undefined)}`,
      )
      const known = answers.get(cacheKey)
      if (known !== undefined)
        return known.result.then((result) => {
          if (result === undefined) return
          onReuse()
          setResultAndStopExecution(result)
        })
      let settle: (result: ExecutionResult | undefined) => void = () => undefined
      const entry: CachedAnswer = { size: PENDING_BYTES, result: new Promise((r) => (settle = r)) }
      answers.set(cacheKey, entry)
      // Whatever happens to this execution, requests waiting on it go on by themselves.
      const abandon = setTimeout(() => settle(undefined), ttlMs)
      return {
        onExecuteDone({ result, setResult }) {
          clearTimeout(abandon)
          if (Symbol.asyncIterator in result || result.errors !== undefined) {
            if (answers.peek(cacheKey) === entry) answers.delete(cacheKey)
            settle(undefined)
            return
          }
          const reusable = reusableAnswer(result)
          setResult(reusable.answer)
          settle(reusable.answer)
          if (answers.peek(cacheKey) === entry) {
            // Kept for what remains of its time at its real size (or dropped if too large).
            entry.size = reusable.size
            answers.set(cacheKey, entry, { noUpdateTTL: true })
          }
        },
      }
    },
  }
}
