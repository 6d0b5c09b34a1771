import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { describe, expect, it, onTestFinished } from 'vitest'
import { runNormalize } from '../infra/cli/normalize-command.js'
import { decodeInteraction } from '../schemas/index.js'
import { dataLines, REPO_ROOT, sharedDataDir } from './support/shared-data.js'
import { tempDir } from './support/temp-dir.js'

const BIN = join(REPO_ROOT, 'dist', 'infra', 'bin', 'sluice.js')

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = []
  stream.on('data', (c: Buffer) => chunks.push(c))
  return () => Buffer.concat(chunks).toString('utf8')
}

describe('sluice normalize (in process)', () => {
  it('writes one decodable interaction per tweet and a summary, and sets bad lines aside', async () => {
    const tmp = tempDir('normalize')
    onTestFinished(() => tmp.remove())
    const dir = tmp.path
    const input = join(dir, 'mixed.jsonl.gz')
    const lines = [
      ...dataLines('twitter-v1-sample.jsonl.gz').slice(0, 200),
      ...dataLines('twitter-stream-noise.jsonl.gz').slice(0, 3),
      '',
      ...dataLines('twitter-stream-malformed-lines.txt'),
      '[]',
      ...dataLines('reddit-pushshift-comments-sample.jsonl.gz'),
    ]
    const { writeFileSync } = await import('node:fs')
    writeFileSync(input, gzipSync(`${lines.join('\n')}\n`))
    const stdout = new PassThrough()
    const stderr = new PassThrough()
    const out = collect(stdout)
    const err = collect(stderr)
    const rejectsPath = join(dir, 'rejects.jsonl')
    const tally = await runNormalize({
      input,
      source: 'auto',
      augment: true,
      rejectsPath,
      stdout,
      stderr,
    })

    const written = out().trim().split('\n')
    expect(written).toHaveLength(200 + 14)
    for (const line of written) expect(decodeInteraction(JSON.parse(line)).ok).toBe(true)
    expect(tally).toMatchObject({
      records: lines.length,
      interactions: 214,
      notices: 4,
      malformed: 2,
    })
    expect(err()).toMatch(new RegExp(`records read:\\s+${lines.length}\\n`))
    expect(err()).toMatch(/malformed:\s+2 \(invalid_json 1, not_an_object 1\)/)
    const rejects = readFileSync(rejectsPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; code: string; record: string })
    expect(rejects.map((r) => [r.line, r.code])).toEqual([
      [205, 'invalid_json'],
      [206, 'not_an_object'],
    ])
    expect(rejects[0]?.record).toBe(dataLines('twitter-stream-malformed-lines.txt')[0])
  })
})

describe('sluice normalize (the built binary)', () => {
  it('reads gzip from stdin and reports to stderr', () => {
    const input = gzipSync(
      `${dataLines('twitter-gnip-activitystreams-sample.jsonl.gz').join('\n')}\n`,
    )
    const r = spawnSync(process.execPath, [BIN, 'normalize', '-'], { input, encoding: 'utf8' })
    expect(r.status).toBe(0)
    expect(r.stdout.trim().split('\n')).toHaveLength(25)
    expect(r.stderr).toMatch(/interactions written:\s+25/)
  })

  it('normalizes a corpus file named on the command line, without augmentation when asked', () => {
    const r = spawnSync(
      process.execPath,
      [
        BIN,
        'normalize',
        '--no-augment',
        join(sharedDataDir(), 'foursquare-checkins-sample.jsonl.gz'),
      ],
      { encoding: 'utf8' },
    )
    expect(r.status).toBe(0)
    const first = JSON.parse(r.stdout.split('\n')[0] ?? '{}') as Record<string, unknown>
    expect(first['foursquare']).toBeDefined()
    expect(first['language']).toBeUndefined()
  })

  it('fails with a clear message and status 2 on a missing file, and rejects an unknown --source', () => {
    const missing = spawnSync(process.execPath, [BIN, 'normalize', '/nonexistent.jsonl'], {
      encoding: 'utf8',
    })
    expect(missing.status).toBe(2)
    expect(missing.stderr).toContain('cannot read /nonexistent.jsonl: no such file')
    const bad = spawnSync(process.execPath, [BIN, 'normalize', '--source', 'myspace', '-'], {
      encoding: 'utf8',
      input: '',
    })
    expect(bad.status).not.toBe(0)
    expect(bad.stderr).toContain('expected auto or one of twitter-v1')
  })

  it('lists the targets', () => {
    const r = spawnSync(process.execPath, [BIN, 'targets', '--json', '--source', 'reddit'], {
      encoding: 'utf8',
    })
    expect(r.status).toBe(0)
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { path: string; operators: string[] })
    expect(rows.map((x) => x.path)).toContain('reddit.subreddit')
    expect(rows.find((x) => x.path === 'links.url')?.operators).toContain('url_in')
  })
})
