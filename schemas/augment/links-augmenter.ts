import type { Interaction } from '../interaction.js'
import { domainOf, normalizeUrl } from '../text/url-normalize.js'

/**
 * `links.normalized_url` and `links.domain` from `links.url`: each link normalized as `url_in`
 * compares URLs, and its host without "www.". Offline: links are not followed, so shortened
 * links keep the shortener's domain unless the source expanded them (Twitter does).
 */
export function linksAugmenter(i: Interaction): void {
  const urls = i.links?.url
  if (urls === undefined || urls.length === 0 || i.links === undefined) return
  const normalized = new Set<string>()
  const domains = new Set<string>()
  for (const u of urls) {
    normalized.add(normalizeUrl(u))
    const d = domainOf(u)
    if (d !== undefined) domains.add(d)
  }
  i.links.normalized_url = [...normalized]
  i.links.domain = domains.size === 0 ? undefined : [...domains]
}
