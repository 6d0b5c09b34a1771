import { TW, target } from './target-def.js'

/** The user fields DataSift exposed under every `*.user` prefix of a tweet (csdl.md §12.2). */
function userTargets<const P extends string>(prefix: P, who: string) {
  return [
    target(`${prefix}.id`, 'long', TW, `Numeric id of ${who}.`),
    target(`${prefix}.screen_name`, 'string', TW, `Screen name of ${who}, without "@".`),
    target(`${prefix}.name`, 'string', TW, `Display name of ${who}.`),
    target(`${prefix}.description`, 'string', TW, `Profile description of ${who}.`),
    target(`${prefix}.location`, 'string', TW, `Free-text profile location of ${who}.`),
    target(`${prefix}.time_zone`, 'string', TW, `Profile time zone of ${who} (pre-2018 payloads).`),
    target(`${prefix}.lang`, 'string', TW, `Interface language of ${who} (pre-2019 payloads).`),
    target(`${prefix}.url`, 'string', TW, `Profile URL of ${who}, expanded.`, { url: true }),
    target(
      `${prefix}.followers_count`,
      'int',
      TW,
      `Followers of ${who} when the record was fetched.`,
    ),
    target(`${prefix}.friends_count`, 'int', TW, `Accounts ${who} follows.`),
    target(`${prefix}.statuses_count`, 'int', TW, `Tweets posted by ${who}.`),
    target(`${prefix}.listed_count`, 'int', TW, `Public lists that include ${who}.`),
    target(`${prefix}.favourites_count`, 'int', TW, `Tweets ${who} has liked.`),
    target(
      `${prefix}.follower_ratio`,
      'float',
      TW,
      `followers_count / friends_count of ${who} (followers when friends is 0).`,
    ),
    target(
      `${prefix}.profile_age`,
      'int',
      TW,
      `Whole years between the account's creation and the tweet, for ${who}.`,
    ),
    target(`${prefix}.verified`, 'int', TW, `1 when ${who} is verified, else 0.`),
    target(`${prefix}.created_at`, 'timestamp', TW, `When the account of ${who} was created.`),
  ] as const
}

function placeTargets<const P extends string>(prefix: P, of: string) {
  return [
    target(`${prefix}.id`, 'string', TW, `Twitter place id of ${of}.`),
    target(`${prefix}.name`, 'string', TW, `Short place name of ${of}.`),
    target(`${prefix}.full_name`, 'string', TW, `Full place name of ${of}, e.g. "Manhattan, NY".`),
    target(`${prefix}.country`, 'string', TW, `Country name of the place of ${of}.`),
    target(
      `${prefix}.country_code`,
      'string',
      TW,
      `ISO 3166-1 alpha-2 country code of the place of ${of}.`,
    ),
    target(
      `${prefix}.place_type`,
      'string',
      TW,
      `Place type of ${of}: poi, neighborhood, city, admin, country.`,
    ),
    target(`${prefix}.url`, 'string', TW, `API URL of the place of ${of}.`, { url: true }),
  ] as const
}

/** Fields describing the text of one tweet, shared by the tweet itself and its retweet view. */
function textTargets<const P extends string>(prefix: P, of: string) {
  return [
    target(
      `${prefix}.text`,
      'string',
      TW,
      `Text of ${of}, links and @mentions removed (csdl.md §3.5).`,
      { text: 'stripped' },
    ),
    target(`${prefix}.source`, 'string', TW, `Application that posted ${of}.`),
    target(
      `${prefix}.lang`,
      'string',
      TW,
      `Twitter's BCP-47 language of ${of} ("und" if unknown).`,
    ),
    target(`${prefix}.links`, 'string', TW, `Expanded URLs in ${of}.`, { list: true, url: true }),
    target(`${prefix}.domains`, 'string', TW, `Host names of the links in ${of}, without "www.".`, {
      list: true,
    }),
    target(
      `${prefix}.mentions`,
      'string',
      TW,
      `Screen names mentioned in ${of}, including the replied-to user.`,
      { list: true },
    ),
    target(`${prefix}.mention_ids`, 'long', TW, `Numeric ids of the users mentioned in ${of}.`, {
      list: true,
    }),
    target(`${prefix}.hashtags`, 'string', TW, `Hashtags in ${of}, without "#".`, { list: true }),
  ] as const
}

/**
 * `twitter.*` (csdl.md §12.2). As on DataSift, a retweet carries its text and poster under
 * `twitter.retweet.*` and the original tweet under `twitter.retweeted.*`; `twitter.text` and
 * `twitter.user.*` are absent on retweets. Quote tweets add `twitter.quoted.*`.
 */
export const TWITTER_TARGETS = [
  target('twitter.id', 'string', TW, 'Tweet id as a decimal string (ids exceed 2^53).'),
  target('twitter.created_at', 'timestamp', TW, 'When the tweet (or retweet) was posted.'),
  ...textTargets('twitter', 'the tweet'),
  target('twitter.geo', 'geo', TW, 'Exact coordinates of the tweet.'),
  target('twitter.in_reply_to_screen_name', 'string', TW, 'Screen name of the user replied to.'),
  target('twitter.in_reply_to_status_id', 'string', TW, 'Id of the tweet replied to.'),
  target('twitter.in_reply_to_user_id', 'long', TW, 'Id of the user replied to.'),
  target(
    'twitter.media.type',
    'string',
    TW,
    'Types of attached media: photo, video, animated_gif.',
    { list: true },
  ),
  target('twitter.media.url', 'string', TW, 'HTTPS URLs of attached media.', {
    list: true,
    url: true,
  }),
  ...userTargets('twitter.user', 'the author'),
  ...placeTargets('twitter.place', 'the tweet'),
  target('twitter.retweet.id', 'string', TW, 'Id of the retweet itself.'),
  ...textTargets('twitter.retweet', 'the retweeted text'),
  target(
    'twitter.retweet.count',
    'int',
    TW,
    'Retweets of the original when the record was fetched.',
  ),
  target(
    'twitter.retweet.elapsed',
    'int',
    TW,
    'Seconds between the original tweet and the retweet.',
  ),
  ...userTargets('twitter.retweet.user', 'the retweeter'),
  target('twitter.retweeted.id', 'string', TW, 'Id of the original tweet of a retweet.'),
  target('twitter.retweeted.created_at', 'timestamp', TW, 'When the original tweet was posted.'),
  target('twitter.retweeted.source', 'string', TW, 'Application that posted the original tweet.'),
  ...placeTargets('twitter.retweeted.place', 'the original tweet'),
  ...userTargets('twitter.retweeted.user', 'the original author'),
  target('twitter.quoted.id', 'string', TW, 'Id of the quoted tweet.'),
  target('twitter.quoted.created_at', 'timestamp', TW, 'When the quoted tweet was posted.'),
  target(
    'twitter.quoted.text',
    'string',
    TW,
    'Text of the quoted tweet, links and @mentions removed.',
    { text: 'stripped' },
  ),
  target('twitter.quoted.lang', 'string', TW, "Twitter's language of the quoted tweet."),
  ...userTargets('twitter.quoted.user', 'the quoted author'),
] as const
