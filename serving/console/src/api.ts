import { createClient, type Client } from 'graphql-sse'

/** A refusal or failure the API answered with: its message and code (e.g. CSDL_INVALID). */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly extensions: Readonly<Record<string, unknown>> = {},
  ) {
    super(message)
  }
}

interface GraphQLAnswer<T> {
  readonly data?: T | null
  readonly errors?: readonly {
    readonly message: string
    readonly extensions?: Readonly<Record<string, unknown>>
  }[]
}

/** The console's only way to the server: the public GraphQL API with the signed-in key. */
export class Api {
  private sse: Client | undefined

  constructor(readonly key: string) {}

  async query<T>(query: string, variables: Readonly<Record<string, unknown>> = {}): Promise<T> {
    const res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': this.key },
      body: JSON.stringify({ query, variables }),
    })
    const answer = (await res.json()) as GraphQLAnswer<T>
    const first = answer.errors?.[0]
    if (first !== undefined) {
      const code = first.extensions?.['code']
      throw new ApiError(
        first.message,
        typeof code === 'string' ? code : undefined,
        first.extensions ?? {},
      )
    }
    if (answer.data === undefined || answer.data === null)
      throw new ApiError(`the API answered ${res.status} without data`, undefined)
    return answer.data
  }

  /** A GraphQL subscription over server-sent events; returns how to stop it. */
  subscribe<T>(
    query: string,
    variables: Readonly<Record<string, unknown>>,
    on: { next: (data: T) => void; error: (e: ApiError) => void },
  ): () => void {
    this.sse ??= createClient({
      url: new URL('/graphql', window.location.href).toString(),
      headers: { 'x-api-key': this.key },
      retryAttempts: 0,
    })
    return this.sse.subscribe<T>(
      { query, variables: { ...variables } },
      {
        next: (answer) => {
          const first = answer.errors?.[0]
          if (first !== undefined) {
            const code = first.extensions?.['code']
            on.error(new ApiError(first.message, typeof code === 'string' ? code : undefined))
          } else if (answer.data !== undefined && answer.data !== null) on.next(answer.data)
        },
        error: (e: unknown) =>
          on.error(new ApiError(e instanceof Error ? e.message : String(e), undefined)),
        complete: () => undefined,
      },
    )
  }

  /** Fetches a download path (a replay's or recording's chunk) with the key, as a Blob. */
  async download(path: string): Promise<Blob> {
    const res = await fetch(path, { headers: { 'x-api-key': this.key } })
    if (!res.ok) throw new ApiError(`download failed: HTTP ${res.status}`, undefined)
    return res.blob()
  }

  close(): void {
    this.sse?.dispose()
  }
}
