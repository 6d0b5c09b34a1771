import type { Interaction } from '../interaction.js'
import { extractTextEntities } from '../text/text-entities.js'
import { removeSpans } from '../text/text-spans.js'

/**
 * Hashtags, @mentions and links of sources that do not ship entities (Reddit, Facebook,
 * Foursquare), extracted from `interaction.raw_content` the way Twitter does (twitter-text), and
 * `interaction.content` as that text with the links and mentions removed (csdl.md §3.5). Tweets
 * already carry Twitter's own entities, so they are left alone (content is set).
 */
export function textEntitiesAugmenter(i: Interaction): void {
  const it = i.interaction
  if (it === undefined || it.content !== undefined) return
  const raw = it.raw_content
  if (raw === undefined) return
  const found = extractTextEntities(raw)
  it.content =
    found.urls.length + found.mentions.length === 0
      ? raw.trim()
      : removeSpans(raw, [...found.urls, ...found.mentions])
  if (found.hashtags.length > 0 && it.hashtags === undefined)
    it.hashtags = [...new Set(found.hashtags.map((h) => h.tag))]
  if (found.mentions.length > 0 && it.mentions === undefined)
    it.mentions = [...new Set(found.mentions.map((m) => m.username))]
  if (found.urls.length > 0) {
    const links = (i.links ??= {})
    links.url = [...new Set([...(links.url ?? []), ...found.urls.map((u) => u.url)])]
  }
}
