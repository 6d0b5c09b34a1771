const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i
const INDEX_PAGE = /\/(?:index\.(?:php|html|htm|aspx|asp)|default\.(?:html|htm|aspx|asp))$/i
const UTM_PARAM = /^utm_/i

/**
 * Normalizes a URL the way CSDL's `url_in` compares URLs (csdl.md §4.12): drops the scheme, a
 * leading "www.", `utm_*` parameters and the `#anchor`; turns a trailing index or default page
 * into "/"; then, as PYLON's `links.normalized_url` does, lower-cases the result and drops one
 * trailing "/". Two URLs match under `url_in` exactly when their normalized forms are equal.
 *
 * Not done: percent-decoding, sorting or dropping other query parameters, resolving redirects.
 *
 * @example normalizeUrl('https://www.Example.org/a/index.html?utm_source=x#top') // 'example.org/a'
 */
export function normalizeUrl(url: string): string {
  let rest = url.trim().replace(SCHEME, '')
  const hash = rest.indexOf('#')
  if (hash !== -1) rest = rest.slice(0, hash)
  let query = ''
  const q = rest.indexOf('?')
  if (q !== -1) {
    query = rest
      .slice(q + 1)
      .split('&')
      .filter((p) => p !== '' && !UTM_PARAM.test(p))
      .join('&')
    rest = rest.slice(0, q)
  }
  if (rest.slice(0, 4).toLowerCase() === 'www.') rest = rest.slice(4)
  rest = rest.replace(INDEX_PAGE, '/')
  let out = (query === '' ? rest : `${rest}?${query}`).toLowerCase()
  if (out.endsWith('/')) out = out.slice(0, -1)
  return out
}

/**
 * The host of a URL, lower-cased, without port, credentials or a leading "www.".
 * Returns undefined when the text has no host.
 *
 * @example domainOf('https://www.BBC.co.uk/news') // 'bbc.co.uk'
 */
export function domainOf(url: string): string | undefined {
  let rest = url.trim().replace(SCHEME, '')
  const end = rest.search(/[/?#]/)
  if (end !== -1) rest = rest.slice(0, end)
  const at = rest.lastIndexOf('@')
  if (at !== -1) rest = rest.slice(at + 1)
  const colon = rest.lastIndexOf(':')
  if (colon !== -1 && !rest.includes(']')) rest = rest.slice(0, colon)
  rest = rest.toLowerCase()
  if (rest.startsWith('www.')) rest = rest.slice(4)
  return rest === '' ? undefined : rest
}
