import { S3Client } from '@aws-sdk/client-s3'
import type { ObjectStore } from '../../schemas/ports/index.js'
import type { StoreConfig } from '../config/adapter-urls.js'
import { LocalDirObjectStore } from './object-store/local-dir-adapter.js'
import { S3ObjectStore } from './object-store/s3-adapter.js'

/**
 * The object store a config names. Credentials for S3 come from the SDK's usual chain
 * (environment, profile, instance role); an S3-compatible endpoint without any configured
 * credentials gets placeholder ones, which local servers such as s3rver accept.
 */
export function openObjectStore(config: StoreConfig): ObjectStore {
  if (config.kind === 'file') return new LocalDirObjectStore(config.path)
  const hasKeys =
    process.env['AWS_ACCESS_KEY_ID'] !== undefined || process.env['AWS_PROFILE'] !== undefined
  const client = new S3Client({
    region: config.region,
    ...(config.endpoint === undefined
      ? {}
      : {
          endpoint: config.endpoint,
          forcePathStyle: true,
          ...(hasKeys ? {} : { credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } }),
        }),
  })
  return new S3ObjectStore(
    client,
    { bucket: config.bucket, prefix: config.prefix },
    config.endpoint,
  )
}
