/*
 * Words and names for the synthetic firehose. Small on purpose: enough variety that filters on
 * keywords, hashtags, authors, languages and places select different slices, and repetitive
 * enough that top-K and unique-author views have something to find.
 */
export const WORDS = (
  'the a to and of in is it you that for on was with he be at by this had not are but from or ' +
  'have an they which one were her all she there would their we him been has when who will more ' +
  'no if out so said what up its about into than them can only other new some could time these ' +
  'two may then do first any my now such like our over man me even most made after also did many ' +
  'before must through back years where much your way well down should because each just those ' +
  'people how too little state good very make world still own see men work long get here between ' +
  'both life being under never day same another know while last might us great old year off come ' +
  'since against go came right used take three election vaccine football market music weather ' +
  'coffee traffic storm concert launch earthquake strike budget movie premiere championship ' +
  'outbreak protest festival startup rocket airport hospital school museum bitcoin climate'
).split(' ')

export const HASHTAGS = [
  'news',
  'breaking',
  'covid19',
  'worldcup',
  'music',
  'tech',
  'ai',
  'climate',
  'election',
  'nba',
  'travel',
  'food',
  'photography',
  'bitcoin',
  'love',
  'tbt',
  'mondaymotivation',
  'space',
]

export const FIRST_NAMES = [
  'James',
  'Mary',
  'John',
  'Patricia',
  'Robert',
  'Jennifer',
  'Michael',
  'Linda',
  'David',
  'Elizabeth',
  'Maria',
  'Ahmed',
  'Yuki',
  'Olga',
  'Pierre',
  'Sofia',
  'Luca',
  'Chen',
  'Fatima',
  'Carlos',
  'Anna',
  'Kwame',
  'Priya',
  'Lars',
  'Ines',
]

export const DOMAINS = [
  'bbc.co.uk',
  'nytimes.com',
  'theguardian.com',
  'youtube.com',
  'github.com',
  'reuters.com',
  'instagram.com',
  'medium.com',
  'example.org',
  'wikipedia.org',
]

export const SUBREDDITS = [
  'news',
  'worldnews',
  'AskReddit',
  'programming',
  'soccer',
  'science',
  'movies',
  'gaming',
  'technology',
  'todayilearned',
]

/** Places with a bounding point: name, country code, country, latitude, longitude. */
export const PLACES = [
  ['London', 'GB', 'United Kingdom', 51.5072, -0.1276],
  ['Paris', 'FR', 'France', 48.8566, 2.3522],
  ['New York', 'US', 'United States', 40.7128, -74.006],
  ['San Francisco', 'US', 'United States', 37.7749, -122.4194],
  ['Tokyo', 'JP', 'Japan', 35.6762, 139.6503],
  ['Lagos', 'NG', 'Nigeria', 6.5244, 3.3792],
  ['São Paulo', 'BR', 'Brazil', -23.5505, -46.6333],
  ['Sydney', 'AU', 'Australia', -33.8688, 151.2093],
] as const

export const CLIENTS = [
  '<a href="http://twitter.com/download/iphone" rel="nofollow">Twitter for iPhone</a>',
  '<a href="http://twitter.com/download/android" rel="nofollow">Twitter for Android</a>',
  '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
  '<a href="https://about.twitter.com/products/tweetdeck" rel="nofollow">TweetDeck</a>',
]
