import de from 'gender-detection-from-name/names/de.js'
import en from 'gender-detection-from-name/names/en.js'
import es from 'gender-detection-from-name/names/es.js'
import fr from 'gender-detection-from-name/names/fr.js'
import it from 'gender-detection-from-name/names/it.js'
import tr from 'gender-detection-from-name/names/tr.js'
import type { Interaction } from '../interaction.js'

/*
 * gender-detection-from-name (MIT, maintained) holds ~85k first names in six language lists.
 * A name can be male in one list and female in another ("Andrea": female in English, male in
 * Italian); counting the lists' votes gives DataSift's five classes instead of a forced pick.
 */
const LISTS: Readonly<Record<string, ReadonlyMap<string, 'male' | 'female'>>> = {
  en,
  de,
  es,
  fr,
  it,
  tr,
}
const ALL_LISTS = Object.values(LISTS)

export type Gender = 'male' | 'female' | 'mostly_male' | 'mostly_female' | 'unisex'

// Words of a display name; honorifics are skipped, so "Dr. Jane Doe 🌸" yields "jane".
const FIRST_WORD = /\p{L}[\p{L}\p{M}'-]*/gu
const TITLES: ReadonlySet<string> = new Set([
  'mr',
  'mrs',
  'ms',
  'miss',
  'dr',
  'prof',
  'sir',
  'dame',
  'rev',
  'the',
])

/** The lower-cased first name in a display name, skipping honorifics; undefined if none. */
export function firstNameOf(displayName: string): string | undefined {
  FIRST_WORD.lastIndex = 0
  for (let m = FIRST_WORD.exec(displayName); m !== null; m = FIRST_WORD.exec(displayName)) {
    const word = m[0].toLowerCase()
    if (TITLES.has(word)) continue
    return word.length < 2 ? undefined : word
  }
  return undefined
}

/**
 * The gender class of a first name: every list agreeing gives male/female, a majority gives
 * mostly_male/mostly_female, a tie gives the class the post's language list prefers (as a
 * "mostly_"), or unisex when that list does not know the name. Undefined when no list knows it.
 *
 * @example genderOfName('andrea', 'it') // 'mostly_male'
 */
export function genderOfName(name: string, languageHint?: string): Gender | undefined {
  let male = 0
  let female = 0
  for (const list of ALL_LISTS) {
    const g = list.get(name)
    if (g === 'male') male++
    else if (g === 'female') female++
  }
  if (male === 0 && female === 0) return undefined
  if (female === 0) return 'male'
  if (male === 0) return 'female'
  if (male > female) return 'mostly_male'
  if (female > male) return 'mostly_female'
  const hinted = languageHint === undefined ? undefined : LISTS[languageHint]?.get(name)
  return hinted === undefined ? 'unisex' : hinted === 'male' ? 'mostly_male' : 'mostly_female'
}

/**
 * `demographic.gender` from the first name in `interaction.author.name` (display names; Reddit
 * has none). Runs after the language augmenter, whose tag breaks ties between the lists.
 */
export function genderAugmenter(i: Interaction): void {
  const displayName = i.interaction?.author?.name
  if (displayName === undefined) return
  const first = firstNameOf(displayName)
  if (first === undefined) return
  const gender = genderOfName(first, i.language?.tag)
  if (gender !== undefined) i.demographic = { gender }
}
