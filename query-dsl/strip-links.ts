/*
 * Links and @mentions are invisible to text operators on interaction.content, twitter.text and
 * the like (csdl.md §3.5): they are cut out before matching. A link is a URL with an explicit
 * scheme, or one starting with "www."; a mention is "@name" as Twitter writes it (not glued to
 * a preceding letter, digit or symbol, so e-mail addresses stay text). Bare domains ("Node.js")
 * are words, not links.
 */
const LINK = /\b[a-z][a-z0-9+.-]*:\/\/[^\s]*|\bwww\.[^\s]+/giu
const MENTION = /(^|[^\p{L}\p{N}_!#$%&*@＠])[@＠][A-Za-z0-9_]{1,20}\b/gu
// Most texts hold neither: one cheap test skips both replacements.
const MAY_HOLD_LINK_OR_MENTION = /[@＠]|:\/\/|www\./i

/**
 * Removes links and @mentions, leaving a space so neighbouring words do not join.
 *
 * @example stripLinksAndMentions('RT @acme: see https://t.co/x now') // 'RT  : see   now'
 */
export function stripLinksAndMentions(text: string): string {
  if (!MAY_HOLD_LINK_OR_MENTION.test(text)) return text
  return text.replace(LINK, ' ').replace(MENTION, '$1 ')
}
