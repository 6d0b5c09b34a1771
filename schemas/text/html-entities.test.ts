import { describe, expect, it } from 'vitest'
import { decodeHtmlEntities } from './html-entities.js'

describe('decodeHtmlEntities', () => {
  it('decodes the entities Twitter and Reddit emit, once', () => {
    expect(decodeHtmlEntities('fish &amp; chips &lt;3 &gt;_&lt; &quot;hi&quot; it&#39;s')).toBe(
      'fish & chips <3 >_< "hi" it\'s',
    )
    expect(decodeHtmlEntities('&amp;amp;')).toBe('&amp;')
  })

  it('decodes numeric references, including astral ones', () => {
    expect(decodeHtmlEntities('&#233;t&#xE9; &#128512;')).toBe('été 😀')
  })

  it('leaves other names and lone ampersands alone', () => {
    expect(decodeHtmlEntities('AT&T &copy; &nbsp; &#0;')).toBe('AT&T &copy; &nbsp; &#0;')
  })
})
