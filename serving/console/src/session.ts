import { Api } from './api.js'

const KEY_ITEM = 'sluice.apiKey'

/** The API key signed in with, kept in this browser until signing out. */
export function savedApi(): Api | undefined {
  const key = window.localStorage.getItem(KEY_ITEM)
  return key === null ? undefined : new Api(key)
}

export function saveKey(key: string): void {
  window.localStorage.setItem(KEY_ITEM, key)
}

export function forgetKey(): void {
  window.localStorage.removeItem(KEY_ITEM)
}
