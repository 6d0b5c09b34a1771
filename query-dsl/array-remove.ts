/** Removes the first occurrence of `value` from `list` (order of the rest kept); true when found. */
export function removeFirst<T>(list: T[], value: T): boolean {
  const i = list.indexOf(value)
  if (i === -1) return false
  list.splice(i, 1)
  return true
}
