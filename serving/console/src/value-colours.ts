import { PALETTE } from './chart-view.js'

/** Sentiment in the same colours everywhere: positive green, neutral grey, negative red. */
export const SENTIMENT_COLOURS: Readonly<Record<string, string>> = {
  positive: '#16a34a',
  neutral: '#94a3b8',
  negative: '#dc2626',
}

/** The colour of a breakdown's value: fixed for sentiment, else by its rank. */
export function valueColour(dimension: string, value: string, rank: number): string {
  const fixed = dimension.toLowerCase() === 'sentiment' ? SENTIMENT_COLOURS[value] : undefined
  return fixed ?? (PALETTE[rank % PALETTE.length] as string)
}
