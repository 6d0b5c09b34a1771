import { randomBytes } from 'node:crypto'
import type { Dirent } from 'node:fs'
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises'
import { dirname, join, resolve, sep } from 'node:path'
import {
  StoreError,
  type ListOptions,
  type ObjectInfo,
  type ObjectPage,
  type ObjectStore,
} from '../../../schemas/ports/index.js'
import { TEMP_PREFIX, checkObjectKey, checkRange } from './object-key.js'

const DEFAULT_PAGE = 1000

function storeErrorOf(operation: string, key: string, e: unknown): StoreError {
  const code = (e as NodeJS.ErrnoException).code
  const detail = e instanceof Error ? e.message : String(e)
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return new StoreError('denied', operation, key, detail, { cause: e })
  if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'ENAMETOOLONG')
    return new StoreError('invalid', operation, key, detail, { cause: e })
  return new StoreError('unavailable', operation, key, detail, { cause: e })
}

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

/**
 * The object store in a local directory (`file://PATH`): one file per key. A write goes to a
 * temp file in the key's directory, is fsync'd, and is renamed over the key, so readers see
 * the old or the new object and a crash leaves at most a temp file behind (ignored by reads and
 * listings, swept by {@link LocalDirObjectStore.sweepTemp}).
 */
export class LocalDirObjectStore implements ObjectStore {
  readonly location: string
  private readonly root: string

  constructor(root: string) {
    this.root = resolve(root)
    this.location = `file://${this.root}`
  }

  private pathOf(operation: string, key: string): string {
    checkObjectKey(operation, key)
    return join(this.root, ...key.split('/'))
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const path = this.pathOf('put', key)
    const temp = join(dirname(path), `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`)
    try {
      await mkdir(dirname(path), { recursive: true })
      const file = await open(temp, 'w')
      try {
        await file.writeFile(body)
        await file.sync()
      } finally {
        await file.close()
      }
      await rename(temp, path)
    } catch (e) {
      await unlink(temp).catch(() => undefined)
      throw storeErrorOf('put', key, e)
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const path = this.pathOf('get', key)
    try {
      return await readFile(path)
    } catch (e) {
      if (isMissing(e)) return undefined
      throw storeErrorOf('get', key, e)
    }
  }

  async getRange(key: string, start: number, end: number): Promise<Uint8Array | undefined> {
    const path = this.pathOf('getRange', key)
    checkRange('getRange', key, start, end)
    let file
    try {
      file = await open(path, 'r')
    } catch (e) {
      if (isMissing(e)) return undefined
      throw storeErrorOf('getRange', key, e)
    }
    try {
      const size = (await file.stat()).size
      const length = Math.max(0, Math.min(end, size) - start)
      const out = Buffer.alloc(length)
      let done = 0
      while (done < length) {
        const { bytesRead } = await file.read(out, done, length - done, start + done)
        if (bytesRead === 0) break
        done += bytesRead
      }
      return out.subarray(0, done)
    } catch (e) {
      throw storeErrorOf('getRange', key, e)
    } finally {
      await file.close()
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const path = this.pathOf('head', key)
    try {
      const info = await stat(path)
      if (!info.isFile()) return undefined
      return { key, size: info.size, modified: info.mtime }
    } catch (e) {
      if (isMissing(e)) return undefined
      throw storeErrorOf('head', key, e)
    }
  }

  /** A local directory has no URLs to give out: its objects are served by whoever reads them. */
  presignedGet(key: string): Promise<string | undefined> {
    this.pathOf('presignedGet', key)
    return Promise.resolve(undefined)
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf('delete', key)
    try {
      await unlink(path)
    } catch (e) {
      if (!isMissing(e)) throw storeErrorOf('delete', key, e)
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ObjectPage> {
    const limit = Math.max(1, options.limit ?? DEFAULT_PAGE)
    const after = options.after ?? ''
    const cut = prefix.lastIndexOf('/')
    const baseKey = cut < 0 ? '' : prefix.slice(0, cut + 1)
    const objects: ObjectInfo[] = []
    let more = false
    // Walks in S3's key order: a directory `d` sorts as `d/`, so `a-b` comes before `a/x`.
    const walk = async (dirKey: string): Promise<void> => {
      let entries: Dirent[]
      try {
        entries = await readdir(join(this.root, ...dirKey.split('/').filter(Boolean)), {
          withFileTypes: true,
        })
      } catch (e) {
        if (isMissing(e)) return
        throw storeErrorOf('list', prefix, e)
      }
      const named = entries
        .filter((d) => !d.name.startsWith(TEMP_PREFIX) && (d.isFile() || d.isDirectory()))
        .map((d) => ({ key: dirKey + d.name + (d.isDirectory() ? '/' : ''), dir: d.isDirectory() }))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      for (const entry of named) {
        if (more) return
        // Only entries that can still hold keys under the prefix, after the resume point.
        if (!(entry.key.startsWith(prefix) || prefix.startsWith(entry.key))) continue
        if (entry.dir) {
          if (entry.key < after && !after.startsWith(entry.key)) continue
          await walk(entry.key)
        } else if (entry.key > after) {
          if (objects.length === limit) {
            more = true
            return
          }
          const info = await stat(join(this.root, ...entry.key.split('/'))).catch(() => undefined)
          if (info !== undefined)
            objects.push({ key: entry.key, size: info.size, modified: info.mtime })
        }
      }
    }
    await walk(baseKey)
    const last = objects.at(-1)
    return more && last !== undefined ? { objects, next: last.key } : { objects }
  }

  /** Removes temp files a crashed writer left under `prefix` (keys never name them). */
  async sweepTemp(prefix = ''): Promise<number> {
    let removed = 0
    const base = join(this.root, ...prefix.split('/').filter(Boolean))
    const walk = async (dir: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
      for (const d of entries) {
        const path = dir + sep + d.name
        if (d.isDirectory()) await walk(path)
        else if (d.name.startsWith(TEMP_PREFIX)) {
          await rm(path, { force: true })
          removed++
        }
      }
    }
    await walk(base)
    return removed
  }
}
