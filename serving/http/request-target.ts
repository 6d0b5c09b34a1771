/** Where a request goes: its path (still percent-encoded) and its query parameters. */
export interface RequestTarget {
  readonly path: string
  readonly query: URLSearchParams
}

/**
 * The target of a request line, or undefined when it is not one a URL parser accepts
 * (`//[`, a bare `*`): the caller answers 400. Never throws.
 */
export function parseRequestTarget(raw: string | undefined): RequestTarget | undefined {
  if (raw === undefined || !raw.startsWith('/')) return undefined
  try {
    // Parsed against a fixed origin: `//host/x` stays a path, not a host.
    const url = new URL(`http://sluice${raw}`)
    return { path: url.pathname, query: url.searchParams }
  } catch {
    return undefined
  }
}

/** One decoded path segment, or undefined for a malformed escape (`%E0%A4%A`). Never throws. */
export function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}
