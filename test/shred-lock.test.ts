import { spawnSync } from 'node:child_process'
import { hostname } from 'node:os'
import { afterAll, describe, expect, it } from 'vitest'
import { LocalDirObjectStore } from '../infra/adapters/object-store/local-dir-adapter.js'
import { tempDir } from './support/temp-dir.js'
import { SHRED_LOCK_KEY, ShredLock, ShredLockedError } from '../shredder/index.js'

const dir = tempDir('shred-lock')
afterAll(() => dir.remove())

async function holdAs(store: LocalDirObjectStore, pid: number, at: number): Promise<void> {
  const body = { owner: `${hostname()}:${pid}`, host: hostname(), pid, at }
  await store.put(SHRED_LOCK_KEY, new TextEncoder().encode(JSON.stringify(body)))
}

describe('the shredder lock', () => {
  it('refuses while another live process holds it, naming the holder', async () => {
    const store = new LocalDirObjectStore(`${dir.path}/a`)
    await holdAs(store, process.ppid, Date.now())
    const attempt = new ShredLock(store).acquire()
    await expect(attempt).rejects.toThrow(ShredLockedError)
    await expect(new ShredLock(store).acquire()).rejects.toThrow(`${hostname()}:${process.ppid}`)
  })

  it('takes over a lock whose process is gone, or that went stale', async () => {
    const store = new LocalDirObjectStore(`${dir.path}/b`)
    const gone = spawnSync(process.execPath, ['-e', 'process.pid']).pid ?? 0
    await holdAs(store, gone, Date.now())
    const lock = new ShredLock(store)
    await lock.acquire()
    await lock.release()
    await holdAs(store, process.ppid, Date.now() - 11 * 60_000)
    await new ShredLock(store).acquire()
    const held = JSON.parse(new TextDecoder().decode(await store.get(SHRED_LOCK_KEY))) as {
      pid: number
    }
    expect(held.pid).toBe(process.pid)
  })

  it('is released at the end of a run', async () => {
    const store = new LocalDirObjectStore(`${dir.path}/c`)
    const lock = new ShredLock(store)
    await lock.acquire()
    expect(await store.get(SHRED_LOCK_KEY)).toBeDefined()
    await lock.release()
    expect(await store.get(SHRED_LOCK_KEY)).toBeUndefined()
  })
})
