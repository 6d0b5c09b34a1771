import { ALL_SOURCES, FB, FSQ, RD, TW, target } from './target-def.js'

/**
 * Targets filled by the augmenters (`schemas/augment/`), not by the source: links
 * (csdl.md §12.3, only what needs no network fetch), language, sentiment and gender (§12.4).
 */
export const AUGMENTATION_TARGETS = [
  target(
    'links.url',
    'string',
    ALL_SOURCES,
    'Every link in the post, expanded where the source says so.',
    { list: true, url: true },
  ),
  target(
    'links.normalized_url',
    'string',
    ALL_SOURCES,
    'links.url normalized as url_in does: no scheme, no "www.", no utm_* or #anchor, index pages as "/", lower case, no trailing "/".',
    { list: true, url: true },
  ),
  target('links.domain', 'string', ALL_SOURCES, 'Host of each link, lower case, without "www.".', {
    list: true,
  }),
  target(
    'language.tag',
    'string',
    ALL_SOURCES,
    'ISO 639-1 code detected from interaction.content (ELD).',
  ),
  target('language.confidence', 'int', ALL_SOURCES, 'Confidence of language.tag, 0–100.'),
  target(
    'salience.content.sentiment',
    'int',
    ALL_SOURCES,
    'AFINN-165 sentiment of English content: 0 neutral, >0 positive, <0 negative.',
  ),
  target(
    'salience.title.sentiment',
    'int',
    [...RD, ...FB],
    'AFINN-165 sentiment of an English title.',
  ),
  target(
    'demographic.gender',
    'string',
    [...TW, ...FB, ...FSQ],
    "From the author's first name: male, female, mostly_male, mostly_female, unisex.",
  ),
] as const
