import { afterAll, describe, expect, it } from 'vitest'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { tempDir } from './support/temp-dir.js'
import { checkpointKey, commitKey, partKey } from '../schemas/index.js'
import {
  commitMaster,
  EMPTY_SNAPSHOT,
  MasterConflictError,
  MasterLogError,
  readMasterSnapshot,
  type PartEntry,
} from '../schemas/index.js'

const dir = tempDir('master-log')
afterAll(() => dir.remove())

const part = (n: number): PartEntry => ({
  key: partKey('twitter', '2026-11-22', n.toString(16).padStart(24, '0')),
  type: 'twitter',
  date: '2026-11-22',
  rows: n,
  bytes: 100 * n,
  createdAtMin: 1_763_769_600_000 + n,
  createdAtMax: 1_763_769_600_000 + 2 * n,
})

describe('the master commit log', () => {
  it('replays commits on top of the latest checkpoint', async () => {
    const store = new LocalDirObjectStore(`${dir.path}/a`)
    let snapshot = EMPTY_SNAPSHOT
    for (let n = 1; n <= 45; n++)
      snapshot = await commitMaster(store, snapshot, {
        operation: 'shred',
        add: [part(n)],
        ...(n % 10 === 0 ? { remove: [part(n - 1).key] } : {}),
      })
    expect(await store.head(checkpointKey(20))).toBeDefined()
    expect(await store.head(checkpointKey(40))).toBeDefined()
    // Commits before the checkpoint are not needed to open the dataset.
    await store.delete(commitKey(3))
    const read = await readMasterSnapshot(store)
    expect(read.version).toBe(45)
    expect([...read.parts.keys()].sort()).toEqual([...snapshot.parts.keys()].sort())
    expect(read.parts.size).toBe(45 - 4)
    expect([...read.retired.keys()].sort()).toEqual([9, 19, 29, 39].map((n) => part(n).key).sort())
  })

  it('refuses to publish a version another writer published', async () => {
    const store = new LocalDirObjectStore(`${dir.path}/b`)
    const base = await commitMaster(store, EMPTY_SNAPSHOT, { operation: 'shred', add: [part(1)] })
    await commitMaster(store, base, { operation: 'shred', add: [part(2)] })
    await expect(commitMaster(store, base, { operation: 'shred', add: [part(3)] })).rejects.toThrow(
      MasterConflictError,
    )
  })

  it('names the object when the log is damaged', async () => {
    const store = new LocalDirObjectStore(`${dir.path}/c`)
    const base = await commitMaster(store, EMPTY_SNAPSHOT, { operation: 'shred', add: [part(1)] })
    await commitMaster(store, base, { operation: 'shred', add: [part(2)] })
    await store.put(commitKey(1), new TextEncoder().encode('{"version": 1'))
    await expect(readMasterSnapshot(store)).rejects.toThrow(MasterLogError)
    await expect(readMasterSnapshot(store)).rejects.toThrow(commitKey(1))
    await store.delete(commitKey(1))
    await expect(readMasterSnapshot(store)).rejects.toThrow(`${commitKey(1)}: missing`)
  })
})
