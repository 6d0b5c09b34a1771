import type { Api } from './api.js'

/** Fetches an output file with the key and hands it to the browser as a download. */
export async function downloadFile(
  api: Api,
  file: { readonly url: string; readonly presignedUrl?: string | null; readonly name: string },
): Promise<void> {
  const anchor = document.createElement('a')
  anchor.download = file.name.split('/').pop() ?? file.name
  // A presigned S3 URL needs no key: the browser fetches it straight from the bucket.
  const blobUrl =
    file.presignedUrl == null ? URL.createObjectURL(await api.download(file.url)) : undefined
  anchor.href = blobUrl ?? (file.presignedUrl as string)
  document.body.append(anchor)
  anchor.click()
  anchor.remove()
  if (blobUrl !== undefined) setTimeout(() => URL.revokeObjectURL(blobUrl), 60_000)
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}

export const formatCount = (n: number): string => Math.round(n).toLocaleString('en')
