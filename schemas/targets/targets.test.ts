import { describe, expect, it } from 'vitest'
import { TARGET_CATALOG, type CsdlType } from '../catalog/target-catalog.js'
import { buildSchemaTree } from '../codec/schema-tree.js'
import { TARGETS, findTarget } from './all-targets.js'
import { target, TW } from './target-def.js'

describe('the interaction schema', () => {
  it('names every target once, as a lower-case dotted path', () => {
    const paths = TARGETS.map((t) => t.path)
    expect(new Set(paths).size).toBe(paths.length)
    for (const p of paths) expect(p).toMatch(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/)
  })

  it('documents every target and names the sources that fill it', () => {
    for (const t of TARGETS) {
      expect(t.doc.length, t.path).toBeGreaterThan(8)
      expect(t.sources.length, t.path).toBeGreaterThan(0)
    }
  })

  it('builds a tree in which no target is also a branch', () => {
    expect(() => buildSchemaTree(TARGETS)).not.toThrow()
    expect(() =>
      buildSchemaTree([
        target('a.b', 'string', TW, 'leaf a.b'),
        target('a.b.c', 'int', TW, 'under a leaf'),
      ]),
    ).toThrow(/prefix/)
    expect(() =>
      buildSchemaTree([
        target('a.b.c', 'int', TW, 'deep'),
        target('a.b', 'string', TW, 'over a branch'),
      ]),
    ).toThrow(/collides/)
  })

  // csdl.md §12: the targets our sources can fill, with the CSDL type the reference gives them.
  const REFERENCE: Readonly<Record<string, CsdlType>> = {
    'interaction.content': 'string',
    'interaction.raw_content': 'string',
    'interaction.title': 'string',
    'interaction.author.username': 'string',
    'interaction.author.name': 'string',
    'interaction.author.id': 'int',
    'interaction.author.link': 'string',
    'interaction.author.avatar': 'string',
    'interaction.type': 'string',
    'interaction.source': 'string',
    'interaction.link': 'string',
    'interaction.geo': 'geo',
    'interaction.sample': 'float',
    'interaction.hashtags': 'array(string)',
    'interaction.mentions': 'array(string)',
    'twitter.text': 'string',
    'twitter.source': 'string',
    'twitter.lang': 'string',
    'twitter.geo': 'geo',
    'twitter.domains': 'array(string)',
    'twitter.links': 'array(string)',
    'twitter.mentions': 'array(string)',
    'twitter.mention_ids': 'array(int)',
    'twitter.hashtags': 'array(string)',
    'twitter.in_reply_to_screen_name': 'string',
    'twitter.user.screen_name': 'string',
    'twitter.user.name': 'string',
    'twitter.user.description': 'string',
    'twitter.user.location': 'string',
    'twitter.user.time_zone': 'string',
    'twitter.user.lang': 'string',
    'twitter.user.url': 'string',
    'twitter.user.id': 'int',
    'twitter.user.followers_count': 'int',
    'twitter.user.friends_count': 'int',
    'twitter.user.statuses_count': 'int',
    'twitter.user.listed_count': 'int',
    'twitter.user.follower_ratio': 'float',
    'twitter.user.profile_age': 'int',
    'twitter.user.verified': 'int',
    'twitter.place.country': 'string',
    'twitter.place.country_code': 'string',
    'twitter.place.full_name': 'string',
    'twitter.place.name': 'string',
    'twitter.place.place_type': 'string',
    'twitter.place.url': 'string',
    'twitter.retweet.text': 'string',
    'twitter.retweet.source': 'string',
    'twitter.retweet.lang': 'string',
    'twitter.retweet.domains': 'array(string)',
    'twitter.retweet.links': 'array(string)',
    'twitter.retweet.mentions': 'array(string)',
    'twitter.retweet.count': 'int',
    'twitter.retweet.elapsed': 'int',
    'twitter.retweet.user.screen_name': 'string',
    'twitter.retweet.user.followers_count': 'int',
    'twitter.retweeted.id': 'string',
    'twitter.retweeted.source': 'string',
    'twitter.retweeted.place.country_code': 'string',
    'twitter.retweeted.user.screen_name': 'string',
    'twitter.retweeted.user.id': 'int',
    'links.url': 'array(string)',
    'links.normalized_url': 'array(string)',
    'links.domain': 'array(string)',
    'language.tag': 'string',
    'language.confidence': 'int',
    'salience.content.sentiment': 'int',
    'salience.title.sentiment': 'int',
    'demographic.gender': 'string',
  }

  it.each(Object.entries(REFERENCE))('has %s as csdl.md §12 types it (%s)', (path, type) => {
    expect(findTarget(path)).toBeDefined()
    expect(TARGET_CATALOG.get(path)?.csdlType).toBe(type)
  })

  it('covers reddit.*, facebook.* and foursquare.* for those sources', () => {
    for (const ns of ['reddit', 'facebook', 'foursquare'])
      expect(TARGETS.filter((t) => t.path.startsWith(`${ns}.`)).length).toBeGreaterThan(10)
  })
})
