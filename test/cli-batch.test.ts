import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { shred } from '../shredder/index.js'
import { putRawSegment } from './support/raw-segments.js'
import { REPO_ROOT, dataLines } from './support/shared-data.js'
import { tempDir } from './support/temp-dir.js'

const SLUICE = join(REPO_ROOT, 'dist/infra/bin/sluice.js')

describe('sluice streams and sluice batch', () => {
  const dir = tempDir('cli-batch')
  const store = `file://${dir.path}/store`
  const sluice = (...args: string[]) =>
    spawnSync(process.execPath, [SLUICE, ...args], { cwd: dir.path, encoding: 'utf8' })

  beforeAll(async () => {
    const s = new LocalDirObjectStore(`${dir.path}/store`)
    await putRawSegment(s, {
      source: 'reddit',
      date: '2026-11-20',
      segment: 0,
      records: dataLines('reddit-api-comments-sample.jsonl.gz').slice(0, 300),
    })
    await shred({ store: s })
  }, 60_000)
  afterAll(() => dir.remove())

  it('registers a stream and lists it with the built-in one; refuses a bad filter with its position', () => {
    writeFileSync(join(dir.path, 'q.csdl'), 'reddit.subreddit exists')
    const added = sluice(
      'streams',
      'add',
      'q.csdl',
      '--name',
      'subs',
      '--owner',
      'alice',
      '--store',
      store,
    )
    expect(added.status, added.stderr).toBe(0)
    expect(added.stdout).toMatch(/^[0-9a-f]{32} {2}dpu [\d.]+ {2}alice: subs\n$/)
    const listed = sluice('streams', 'list', '--store', store)
    expect(listed.stdout.trim().split('\n')).toHaveLength(2)
    expect(listed.stdout).toContain('system: all interactions')
    writeFileSync(join(dir.path, 'bad.csdl'), 'reddit.subreddit contians "x"')
    const bad = sluice('streams', 'add', 'bad.csdl', '--name', 'bad', '--store', store)
    expect(bad.status).toBe(1)
    expect(bad.stderr).toMatch(/^1:18: .*contians/)
  })

  it('recomputes and publishes the views, then reuses everything on a second run', () => {
    const first = sluice(
      'batch',
      'run',
      '--store',
      store,
      '--workers',
      '2',
      '--work-dir',
      join(dir.path, 'work'),
    )
    expect(first.status, first.stderr).toBe(0)
    expect(first.stdout).toMatch(/views version: +1 /)
    expect(first.stdout).toMatch(
      /partials: +[1-9]\d* computed, 0 reused, 0 computed by the coordinator/,
    )
    expect(first.stdout).toMatch(/build: +full, [1-9]\d* \(stream, day\) pairs rebuilt/)
    const second = sluice('batch', 'run', '--store', store, '--work-dir', join(dir.path, 'work'))
    expect(second.stdout).toMatch(/changed: +0 partitions, 0 new streams/)
    expect(second.stdout).toMatch(/tasks: +0 partitions/)
    expect(second.stdout).toMatch(
      /build: +from version 1, 0 \(stream, day\) pairs rebuilt, 0 rows written/,
    )
    expect(second.stdout).toMatch(/views version: +2 /)
    const full = sluice(
      'batch',
      'run',
      '--store',
      store,
      '--full',
      '--work-dir',
      join(dir.path, 'w2'),
    )
    expect(full.stdout).toMatch(/build: +full, [1-9]\d* \(stream, day\)/)
    expect(full.stdout).toMatch(/views version: +3 /)
  })

  it('refuses an in-process queue without workers, and a separate worker without a shared queue', () => {
    const none = sluice('batch', 'run', '--store', store, '--workers', '0')
    expect(none.status).toBe(2)
    expect(none.stderr).toMatch(/--workers="0": an in-process queue needs at least one worker/)
    const worker = sluice('batch', 'worker', '--store', store, '--queue', 'memory:')
    expect(worker.status).toBe(2)
    expect(worker.stderr).toMatch(/shared queue: redis:/)
  })
})
