/** A remote API refused or failed a call; the message is the server's. */
export class ApiCallError extends Error {
  override readonly name = 'ApiCallError'
  constructor(
    readonly api: string,
    readonly reason: string,
    readonly code?: string,
  ) {
    super(`${api}: ${reason}`)
  }
}

/** The GraphQL API and file downloads of a running Sluice, with one API key. */
export class ApiClient {
  /** The server's root (without `/graphql`). */
  readonly base: string

  constructor(
    api: string,
    private readonly key: string,
  ) {
    this.base = api.replace(/\/graphql\/?$/, '').replace(/\/$/, '')
  }

  async call<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await fetch(`${this.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': this.key },
      body: JSON.stringify({ query, variables }),
    })
    const answer = (await res.json()) as {
      data?: T
      errors?: { message: string; extensions?: { code?: string } }[]
    }
    if (answer.errors !== undefined || answer.data === undefined)
      throw new ApiCallError(
        this.base,
        answer.errors?.map((e) => e.message).join('; ') ?? `HTTP ${res.status}`,
        answer.errors?.[0]?.extensions?.code,
      )
    return answer.data
  }

  /** GET `path` on the server with the key (and `headers`). */
  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${this.base}${path}`, { headers: { 'x-api-key': this.key, ...headers } })
  }

  /** The whole file at `path`. */
  async bytes(path: string): Promise<Uint8Array> {
    const res = await this.get(path)
    if (!res.ok) throw new ApiCallError(this.base, `GET ${path}: ${res.status}`)
    return new Uint8Array(await res.arrayBuffer())
  }
}
