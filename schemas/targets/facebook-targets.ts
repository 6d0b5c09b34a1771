import { FB, target } from './target-def.js'

/** `facebook.*`: Graph API posts and comments (csdl.md §12.5). */
export const FACEBOOK_TARGETS = [
  target('facebook.id', 'string', FB, 'Graph API id ("<owner>_<post>" for posts).'),
  target(
    'facebook.type',
    'string',
    FB,
    'Post type (status, photo, video, link, question, …) or "comment".',
  ),
  target('facebook.message', 'string', FB, 'Text written by the author.'),
  target('facebook.story', 'string', FB, 'Generated story text, e.g. "X added 3 new photos."'),
  target('facebook.name', 'string', FB, 'Name of the shared link, photo or video.'),
  target('facebook.caption', 'string', FB, 'Caption of the shared link.'),
  target('facebook.description', 'string', FB, 'Description of the shared link.'),
  target('facebook.link', 'string', FB, 'Link attached to the post.', { url: true }),
  target('facebook.application', 'string', FB, 'Application that posted.'),
  target('facebook.author.id', 'long', FB, 'Id of the user or page that posted.'),
  target('facebook.author.name', 'string', FB, 'Name of the user or page that posted.'),
  target('facebook.author.category', 'string', FB, 'Page category when a page posted.'),
  target('facebook.likes.count', 'int', FB, 'Likes when the record was fetched.'),
  target('facebook.likes.names', 'string', FB, 'Names of likers included in the record.', {
    list: true,
  }),
  target('facebook.to.names', 'string', FB, 'Names of the profiles the post was addressed to.', {
    list: true,
  }),
  target('facebook.place.id', 'string', FB, 'Tagged place id.'),
  target('facebook.place.name', 'string', FB, 'Tagged place name.'),
  target('facebook.parent_id', 'string', FB, 'Post (or comment) that a comment answers.'),
] as const
