import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'

/** The repository root (this file sits in test/support/). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

/**
 * ../shared/data, the real public records the tests run on (override with SLUICE_SHARED_DATA).
 * Missing data fails loudly: the suite never skips what it cannot read.
 */
export function sharedDataDir(): string {
  const dir = process.env['SLUICE_SHARED_DATA'] ?? join(REPO_ROOT, '..', 'shared', 'data')
  if (!existsSync(join(dir, 'README.md')))
    throw new Error(
      `shared corpus not found at ${dir}: clone the repository next to ../shared (or set SLUICE_SHARED_DATA)`,
    )
  return dir
}

const cache = new Map<string, readonly string[]>()

/** The lines of one data file (gunzipped when it ends in .gz), without the trailing empty line. */
export function dataLines(file: string): readonly string[] {
  const hit = cache.get(file)
  if (hit !== undefined) return hit
  const bytes = readFileSync(join(sharedDataDir(), file))
  const text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8')
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  cache.set(file, lines)
  return lines
}

/** The record files of the corpus (NDJSON data, not the .sources.tsv provenance files). */
export const RECORD_FILES = [
  'twitter-v1-sample.jsonl.gz',
  'twitter-v2-sample.jsonl.gz',
  'twitter-gnip-activitystreams-sample.jsonl.gz',
  'twitter-stream-noise.jsonl.gz',
  'twitter-stream-malformed-lines.txt',
  'reddit-api-comments-sample.jsonl.gz',
  'reddit-api-submissions-sample.jsonl.gz',
  'reddit-pushshift-comments-sample.jsonl.gz',
  'reddit-pushshift-submissions-sample.jsonl.gz',
  'facebook-graph-posts-sample.jsonl.gz',
  'facebook-graph-comments-sample.jsonl.gz',
  'foursquare-checkins-sample.jsonl.gz',
] as const
