import { createHash } from 'node:crypto'
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3'
import {
  StoreError,
  type ListOptions,
  type ObjectInfo,
  type ObjectPage,
  type ObjectStore,
} from '../../../schemas/ports/index.js'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { checkObjectKey, checkRange } from './object-key.js'

const DEFAULT_PAGE = 1000
// ListObjectsV2 answers at most this many keys per call.
const S3_MAX_KEYS = 1000

export interface S3Location {
  readonly bucket: string
  /** Prepended to every key; empty or ending in `/`. */
  readonly prefix: string
}

function statusOf(e: unknown): number | undefined {
  return e instanceof S3ServiceException ? e.$metadata.httpStatusCode : undefined
}

function isMissing(e: unknown): boolean {
  const name = e instanceof Error ? e.name : ''
  return name === 'NoSuchKey' || name === 'NotFound' || statusOf(e) === 404
}

function storeErrorOf(operation: string, key: string, e: unknown): StoreError {
  const status = statusOf(e)
  const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e)
  if (status === 401 || status === 403)
    return new StoreError('denied', operation, key, detail, { cause: e })
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429)
    return new StoreError('invalid', operation, key, detail, { cause: e })
  // 5xx, throttling, and no answer at all (connection refused, reset, timeout).
  return new StoreError('unavailable', operation, key, detail, { cause: e })
}

/**
 * The object store in an S3 bucket (`s3://BUCKET/PREFIX?endpoint=…`), through the AWS SDK.
 * S3 PUTs are atomic (readers see whole objects), so writes go straight to the key; each PUT
 * carries a Content-MD5 that the server checks. Nothing here uses conditional writes.
 */
export class S3ObjectStore implements ObjectStore {
  readonly location: string

  constructor(
    private readonly client: S3Client,
    private readonly where: S3Location,
    endpoint?: string,
  ) {
    this.location = `s3://${where.bucket}/${where.prefix}${endpoint === undefined ? '' : ` at ${endpoint}`}`
  }

  private fullKey(operation: string, key: string): string {
    checkObjectKey(operation, key)
    return this.where.prefix + key
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const Key = this.fullKey('put', key)
    const md5 = createHash('md5').update(body).digest('base64')
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.where.bucket, Key, Body: body, ContentMD5: md5 }),
      )
    } catch (e) {
      throw storeErrorOf('put', key, e)
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const Key = this.fullKey('get', key)
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.where.bucket, Key }))
      return out.Body === undefined ? new Uint8Array() : await out.Body.transformToByteArray()
    } catch (e) {
      if (isMissing(e)) return undefined
      throw storeErrorOf('get', key, e)
    }
  }

  async getRange(key: string, start: number, end: number): Promise<Uint8Array | undefined> {
    const Key = this.fullKey('getRange', key)
    checkRange('getRange', key, start, end)
    if (end === start) return (await this.head(key)) === undefined ? undefined : new Uint8Array()
    try {
      const out = await this.client.send(
        new GetObjectCommand({
          Bucket: this.where.bucket,
          Key,
          Range: `bytes=${start}-${end - 1}`,
        }),
      )
      return out.Body === undefined ? new Uint8Array() : await out.Body.transformToByteArray()
    } catch (e) {
      if (isMissing(e)) return undefined
      // A range that starts past the end: the same empty answer a local file gives.
      if (statusOf(e) === 416) return new Uint8Array()
      throw storeErrorOf('getRange', key, e)
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const Key = this.fullKey('head', key)
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.where.bucket, Key }))
      const etag = out.ETag?.replaceAll('"', '')
      return {
        key,
        size: out.ContentLength ?? 0,
        modified: out.LastModified ?? new Date(0),
        ...(etag === undefined ? {} : { etag }),
      }
    } catch (e) {
      if (isMissing(e)) return undefined
      throw storeErrorOf('head', key, e)
    }
  }

  /** A presigned GET (SigV4 in the query string), made locally without asking the server. */
  async presignedGet(key: string, seconds: number): Promise<string | undefined> {
    const Key = this.fullKey('presignedGet', key)
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.where.bucket, Key }), {
      expiresIn: seconds,
    })
  }

  async delete(key: string): Promise<void> {
    const Key = this.fullKey('delete', key)
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.where.bucket, Key }))
    } catch (e) {
      if (!isMissing(e)) throw storeErrorOf('delete', key, e)
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ObjectPage> {
    const limit = Math.max(1, Math.min(options.limit ?? DEFAULT_PAGE, S3_MAX_KEYS))
    const base = this.where.prefix
    try {
      const out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.where.bucket,
          Prefix: base + prefix,
          MaxKeys: limit,
          ...(options.after === undefined ? {} : { StartAfter: base + options.after }),
        }),
      )
      const objects: ObjectInfo[] = (out.Contents ?? []).flatMap((o) =>
        o.Key === undefined
          ? []
          : [
              {
                key: o.Key.slice(base.length),
                size: o.Size ?? 0,
                modified: o.LastModified ?? new Date(0),
                ...(o.ETag === undefined ? {} : { etag: o.ETag.replaceAll('"', '') }),
              },
            ],
      )
      const last = objects.at(-1)
      return out.IsTruncated === true && last !== undefined
        ? { objects, next: last.key }
        : { objects }
    } catch (e) {
      throw storeErrorOf('list', prefix, e)
    }
  }
}
