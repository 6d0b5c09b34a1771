import { ALL_SOURCES, FB, FSQ, RD, TW, target } from './target-def.js'

const NAMED_AUTHORS = [...TW, ...FB, ...FSQ]
const WITH_PLACES = [...TW, ...FB, ...FSQ]

/** `interaction.*`: the normalized fields every source fills the same way (csdl.md §12.1). */
export const INTERACTION_TARGETS = [
  target(
    'interaction.id',
    'string',
    ALL_SOURCES,
    'Deterministic 32-hex id: MD5 of "<type>:<source id>", so duplicates share it.',
  ),
  target(
    'interaction.type',
    'string',
    ALL_SOURCES,
    'Lower-case source: twitter, reddit, facebook, foursquare.',
  ),
  target(
    'interaction.subtype',
    'string',
    ALL_SOURCES,
    'Kind of post within the source: tweet, retweet, reply, quote; comment, post; status, photo, link, …; checkin.',
  ),
  target(
    'interaction.created_at',
    'timestamp',
    ALL_SOURCES,
    'When the post was made (UTC). Filterable with numeric operators in Unix seconds.',
  ),
  target(
    'interaction.content',
    'string',
    ALL_SOURCES,
    'Main text with links and @mentions removed (csdl.md §3.5); HTML entities decoded.',
    { text: 'stripped' },
  ),
  target(
    'interaction.raw_content',
    'string',
    ALL_SOURCES,
    'Main text as posted, links and mentions included; HTML entities decoded.',
  ),
  target(
    'interaction.title',
    'string',
    [...RD, ...FB],
    'Title: Reddit submission title, Facebook link name.',
  ),
  target(
    'interaction.author.id',
    'long',
    ALL_SOURCES,
    "Author's numeric id on the source (Reddit's base-36 id decoded).",
  ),
  target(
    'interaction.author.username',
    'string',
    [...TW, ...RD],
    'Handle without "@" (Twitter screen name, Reddit user name).',
  ),
  target('interaction.author.name', 'string', NAMED_AUTHORS, 'Display name of the author.'),
  target('interaction.author.link', 'string', ALL_SOURCES, "URL of the author's profile.", {
    url: true,
  }),
  target('interaction.author.avatar', 'string', [...TW, ...FSQ], "URL of the author's picture.", {
    url: true,
  }),
  target(
    'interaction.source',
    'string',
    [...TW, ...FB, ...FSQ],
    'Posting application, e.g. "Twitter for iPhone".',
  ),
  target('interaction.link', 'string', ALL_SOURCES, 'Permalink of the post.', { url: true }),
  target(
    'interaction.geo',
    'geo',
    WITH_PLACES,
    'Exact point of the post (tweet coordinates, Facebook place, Foursquare venue).',
  ),
  target(
    'interaction.sample',
    'float',
    ALL_SOURCES,
    'Uniform in [0, 100), derived from interaction.id: stable across replays.',
  ),
  target('interaction.hashtags', 'string', ALL_SOURCES, 'Hashtags without "#", as written.', {
    list: true,
  }),
  target(
    'interaction.mentions',
    'string',
    [...TW, ...RD, ...FB],
    'Mentioned user names without "@", including the replied-to user.',
    { list: true },
  ),
] as const
