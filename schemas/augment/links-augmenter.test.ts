import { describe, expect, it } from 'vitest'
import type { Interaction } from '../interaction.js'
import { linksAugmenter } from './links-augmenter.js'
import { sentimentAugmenter } from './sentiment-augmenter.js'
import { textEntitiesAugmenter } from './text-entities-augmenter.js'

describe('text entities and links augmenters', () => {
  it('extracts links, mentions and hashtags from a source without entities and strips the content', () => {
    const i: Interaction = {
      interaction: {
        type: 'reddit',
        raw_content:
          'Read [this](https://www.Example.org/a/index.html?utm_source=rd#top) @bob #Rust rocks',
      },
      links: { url: ['https://github.com/x/y'] },
    }
    textEntitiesAugmenter(i)
    linksAugmenter(i)
    expect(i.interaction?.content).toBe('Read [this]()  #Rust rocks')
    expect(i.interaction?.hashtags).toEqual(['Rust'])
    expect(i.interaction?.mentions).toEqual(['bob'])
    expect(i.links?.url).toEqual([
      'https://github.com/x/y',
      'https://www.Example.org/a/index.html?utm_source=rd#top',
    ])
    expect(i.links?.normalized_url).toEqual(['github.com/x/y', 'example.org/a'])
    expect(i.links?.domain).toEqual(['github.com', 'example.org'])
  })

  it('leaves interactions whose content the normalizer set (tweets) alone', () => {
    const i: Interaction = { interaction: { content: 'kept', raw_content: 'kept https://x.org' } }
    textEntitiesAugmenter(i)
    expect(i).toEqual({ interaction: { content: 'kept', raw_content: 'kept https://x.org' } })
  })

  it('scores sentiment for English only', () => {
    const en: Interaction = {
      interaction: { content: 'I love this, it is great' },
      language: { tag: 'en', confidence: 99 },
    }
    const fr: Interaction = {
      interaction: { content: 'I love this, it is great' },
      language: { tag: 'fr', confidence: 99 },
    }
    sentimentAugmenter(en)
    sentimentAugmenter(fr)
    expect(en.salience?.content?.sentiment).toBeGreaterThan(0)
    expect(fr.salience).toBeUndefined()
  })
})
