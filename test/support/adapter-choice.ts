/**
 * Which adapters a contract suite runs against: all of them unless `variable` lists some
 * (comma-separated), e.g. SLUICE_TEST_STORES=file to iterate fast on one machine without S3.
 * An unknown name fails instead of silently running nothing.
 */
export function chosenAdapters<K extends string>(
  variable: string,
  all: readonly K[],
): readonly K[] {
  const raw = process.env[variable]
  if (raw === undefined || raw.trim() === '') return all
  const names = raw.split(',').map((s) => s.trim())
  for (const name of names)
    if (!all.includes(name as K))
      throw new Error(`${variable}: unknown adapter ${name}; expected some of ${all.join(', ')}`)
  return all.filter((k) => names.includes(k))
}
