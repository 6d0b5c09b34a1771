import {
  CsdlCompileError,
  type CompiledDefinition,
  type StreamCatalog,
} from '../../query-dsl/index.js'
import type { JobQueue, ObjectStore } from '../../schemas/ports/index.js'
import { estimateReplay, type ReplayEstimate } from './replay-estimate.js'
import {
  cancelReplay,
  checkReplayRequest,
  createReplay,
  listReplayJobs,
  readReplayJob,
  ReplayError,
  type ReplayRequest,
  type ReplayTask,
} from './replay-job.js'
import { readReplayManifest, type ReplayChunk } from './replay-output.js'
import { ReplayStatusReader, type ReplayStatus } from './replay-status.js'

const PRESIGNED_SECONDS = 3600

/** What a caller gives: a registered stream of theirs, or a filter. */
export interface ReplayAsk {
  readonly owner: string
  readonly stream?: string
  readonly csdl?: string
  readonly from: number
  readonly to: number
  readonly types?: readonly string[]
  readonly format: ReplayRequest['format']
  readonly name?: string
}

/** Replays as the API offers them: each key sees and touches only its own. */
export class ReplayService {
  private readonly statuses: ReplayStatusReader

  /**
   * `compile` turns a caller's filter into what runs: by default in this process, against the
   * streams the caller may refer to; the API passes its {@link FilterService}'s, which checks
   * off the event loop and keeps compiled filters.
   */
  constructor(
    private readonly store: ObjectStore,
    private readonly queue: JobQueue<ReplayTask>,
    private readonly catalog: StreamCatalog,
    private readonly compile: (owner: string, csdl: string) => Promise<CompiledDefinition> = async (
      owner,
      csdl,
    ) => {
      const result = await catalog.validate(csdl, owner)
      if (!result.ok) throw new CsdlCompileError(result.diagnostics)
      return result.definition
    },
  ) {
    this.statuses = new ReplayStatusReader(store)
  }

  /** The request an ask stands for: the stream's filter, or the given one. */
  private async request(ask: ReplayAsk): Promise<ReplayRequest> {
    let csdl = ask.csdl
    if (ask.stream !== undefined) {
      const record = await this.catalog.get(ask.stream)
      if (record === undefined || !(ask.owner in record.owners))
        throw new ReplayError('NOT_FOUND', `you have no stream ${ask.stream}`)
      if (csdl !== undefined && csdl !== record.csdl)
        throw new ReplayError('BAD_USER_INPUT', 'give a stream or a filter, not both')
      csdl = record.csdl
    }
    if (csdl === undefined) throw new ReplayError('BAD_USER_INPUT', 'give a stream or a filter')
    const request: ReplayRequest = {
      owner: ask.owner,
      csdl,
      from: ask.from,
      to: ask.to,
      format: ask.format,
      ...(ask.stream === undefined ? {} : { stream: ask.stream }),
      ...(ask.types === undefined ? {} : { types: ask.types }),
      ...(ask.name === undefined ? {} : { name: ask.name }),
    }
    checkReplayRequest(request)
    return request
  }

  async estimate(ask: ReplayAsk): Promise<ReplayEstimate> {
    const request = await this.request(ask)
    return estimateReplay(this.store, request, await this.compile(ask.owner, request.csdl))
  }

  async create(ask: ReplayAsk): Promise<ReplayStatus> {
    const request = await this.request(ask)
    const definition = await this.compile(ask.owner, request.csdl)
    const job = await createReplay(this.store, this.queue, request, { definition })
    return this.statuses.status(job)
  }

  /** The owner's replay `id`, or undefined (also for another key's). */
  async get(owner: string, id: string): Promise<ReplayStatus | undefined> {
    const job = await readReplayJob(this.store, id)
    return job?.owner === owner ? this.statuses.status(job) : undefined
  }

  async list(owner: string): Promise<ReplayStatus[]> {
    return Promise.all(
      (await listReplayJobs(this.store, owner)).map((j) => this.statuses.status(j)),
    )
  }

  async cancel(owner: string, id: string): Promise<ReplayStatus> {
    const status = await this.get(owner, id)
    if (status === undefined) throw new ReplayError('NOT_FOUND', `you have no replay ${id}`)
    if (status.state === 'done' || status.state === 'failed')
      throw new ReplayError('BAD_USER_INPUT', `replay ${id} is already ${status.state}`)
    await cancelReplay(this.store, id)
    return (await this.get(owner, id)) as ReplayStatus
  }

  /** A URL for a chunk valid for an hour, where the store gives them out (S3). */
  presignedUrl(key: string): Promise<string | undefined> {
    return this.store.presignedGet(key, PRESIGNED_SECONDS)
  }

  /**
   * A ready chunk of the owner's replay by file name (`<date>-<nnn>.<ext>`), or the manifest
   * (`manifest.json`) once done; undefined when there is no such file for this owner.
   */
  async file(
    owner: string,
    id: string,
    name: string,
  ): Promise<{ key: string; chunk?: ReplayChunk } | undefined> {
    const status = await this.get(owner, id)
    if (status === undefined) return undefined
    if (name === 'manifest.json')
      return (await readReplayManifest(this.store, id)) === undefined
        ? undefined
        : { key: `replays/${id}/manifest.json` }
    const chunk = status.chunks.find((c) => c.key.endsWith(`/${name}`))
    return chunk === undefined ? undefined : { key: chunk.key, chunk }
  }
}
