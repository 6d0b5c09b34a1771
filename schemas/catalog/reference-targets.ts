import type { CsdlType } from './csdl-type.js'

/**
 * Targets csdl.md §12 names that no Sluice source fills (they need DataSift's link resolver,
 * Klout, or sources Sluice does not read). Filters may use them: they check and evaluate like
 * any target, and are simply absent from Sluice's own interactions.
 */
export const REFERENCE_TARGETS: readonly {
  readonly path: string
  readonly type: CsdlType
  readonly url?: true
}[] = [
  { path: 'interaction.tags', type: 'array(string)' },
  { path: 'twitter.status', type: 'string' },
  { path: 'links.title', type: 'array(string)' },
  { path: 'links.retweet_count', type: 'array(int)' },
  { path: 'links.age', type: 'array(int)' },
  { path: 'links.code', type: 'array(int)' },
  { path: 'links.hops', type: 'array(string)' },
  { path: 'links.meta.charset', type: 'array(string)' },
  { path: 'links.meta.content_type', type: 'array(string)' },
  { path: 'links.meta.description', type: 'array(string)' },
  { path: 'links.meta.keywords', type: 'array(string)' },
  { path: 'links.meta.lang', type: 'array(string)' },
  { path: 'links.meta.newskeywords', type: 'array(string)' },
  { path: 'links.meta.standout', type: 'array(string)' },
  { path: 'language.tag_extended', type: 'string' },
  { path: 'salience.content.topics', type: 'array(string)' },
  { path: 'salience.title.topics', type: 'array(string)' },
  { path: 'salience.content.entities.name', type: 'array(string)' },
  { path: 'salience.content.entities.type', type: 'array(string)' },
  { path: 'salience.title.entities.name', type: 'array(string)' },
  { path: 'salience.title.entities.type', type: 'array(string)' },
  { path: 'klout.score', type: 'int' },
  { path: 'klout.amplification', type: 'int' },
  { path: 'klout.network', type: 'int' },
  { path: 'klout.true_reach', type: 'int' },
  { path: 'klout.topics', type: 'array(string)' },
  { path: 'trends.type', type: 'string' },
  { path: 'trends.content', type: 'string' },
  { path: 'trends.source', type: 'string' },
]

/**
 * Namespaces whose targets csdl.md describes only by convention (§12.5 and the open-ended
 * `*.attributes.*`, `links.meta.opengraph.*`, `links.meta.twitter.*`, `demographic.*`): any
 * path under them is a valid target of type `any`. `reddit`, `facebook` and `foursquare` are
 * here too: DataSift had targets there that Sluice's normalizers do not fill.
 */
export const OPEN_NAMESPACES: readonly string[] = [
  'facebook',
  'reddit',
  'foursquare',
  'tumblr',
  'wordpress',
  'blog',
  'board',
  'video',
  'youtube',
  'bitly',
  'newscred',
  'lexisnexis',
  'wikipedia',
  'googleplus',
  'instagram',
  'sinaweibo',
  'tencentweibo',
  'yammer',
  'jive',
  '2ch',
  'amazon',
  'flickr',
  'imdb',
  'topix',
  'dailymotion',
  'demographic',
  'twitter.place.attributes',
  'twitter.retweeted.place.attributes',
  'links.meta.opengraph',
  'links.meta.twitter',
]
