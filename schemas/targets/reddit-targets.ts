import { RD, target } from './target-def.js'

/** `reddit.*`: comments (t1) and submissions (t3), from the Reddit API or pushshift dumps. */
export const REDDIT_TARGETS = [
  target('reddit.id', 'string', RD, 'Base-36 id of the comment or submission.'),
  target('reddit.type', 'string', RD, '"comment" or "post".'),
  target('reddit.subreddit', 'string', RD, 'Subreddit name without "r/".'),
  target('reddit.subreddit_id', 'string', RD, 'Subreddit fullname, e.g. "t5_2qizd".'),
  target(
    'reddit.title',
    'string',
    RD,
    'Submission title (comments: the title of their submission when the API gives it).',
  ),
  target(
    'reddit.content',
    'string',
    RD,
    'Comment body or submission self-text, HTML entities decoded.',
  ),
  target('reddit.author.name', 'string', RD, 'User name of the author.'),
  target('reddit.author.flair', 'string', RD, 'Author flair text in that subreddit.'),
  target('reddit.score', 'int', RD, 'Score when the record was fetched.'),
  target('reddit.num_comments', 'int', RD, 'Comments on the submission.'),
  target('reddit.gilded', 'int', RD, 'Times gilded.'),
  target('reddit.link_id', 'string', RD, 'Fullname of the submission a comment belongs to.'),
  target('reddit.parent_id', 'string', RD, 'Fullname of the parent of a comment.'),
  target('reddit.url', 'string', RD, 'Target URL of a link submission.', { url: true }),
  target(
    'reddit.domain',
    'string',
    RD,
    'Domain of a submission ("self.<subreddit>" for self posts).',
  ),
  target('reddit.flair', 'string', RD, 'Link flair text of a submission.'),
  target('reddit.distinguished', 'string', RD, '"moderator" or "admin" when distinguished.'),
  target('reddit.edited', 'bool', RD, 'Whether the post was edited.'),
  target('reddit.stickied', 'bool', RD, 'Whether the post is stickied.'),
  target('reddit.over_18', 'bool', RD, 'Whether the submission is marked NSFW.'),
  target('reddit.is_self', 'bool', RD, 'Whether the submission is a self (text) post.'),
] as const
