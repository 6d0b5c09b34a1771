import { readFile } from 'node:fs/promises'
import type { Writable } from 'node:stream'
import {
  FilterSet,
  formatDiagnostic,
  StreamRegistry,
  type CompiledDefinition,
  type CompileResult,
  type FilterMatch,
  type ListSource,
} from '../../query-dsl/index.js'
import { readLineBatches } from '../io/line-source.js'
import { LineSink } from '../io/line-sink.js'

/** `HASH=FILE` pairs: definitions that `stream "<hash>"` / `tags "<hash>"` may refer to. */
export type StreamFiles = readonly { readonly hash: string; readonly file: string }[]
/** `ID=FILE` pairs: dynamic lists for list_in / list_any, one item per line. */
export type ListFiles = readonly { readonly id: string; readonly file: string }[]

/** A definition or list file that could not be read or did not compile. */
export class CsdlInputError extends Error {
  override readonly name = 'CsdlInputError'
}

async function readText(file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString('utf8')
  }
  try {
    return await readFile(file, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new CsdlInputError(
      `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : String(e)}`,
    )
  }
}

async function loadLists(files: ListFiles): Promise<ListSource> {
  const lists = new Map<string, readonly string[]>()
  for (const { id, file } of files)
    lists.set(
      id,
      (await readText(file))
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== ''),
    )
  return { version: 1, items: (id) => lists.get(id) }
}

async function loadRegistry(streams: StreamFiles, lists: ListFiles): Promise<StreamRegistry> {
  const registry = new StreamRegistry({ lists: await loadLists(lists) })
  const sources: Record<string, string> = {}
  for (const { hash, file } of streams) sources[hash] = await readText(file)
  for (const [hash, r] of registry.defineAll(sources))
    if (!r.ok) {
      const file = streams.find((s) => s.hash.toLowerCase() === hash)?.file ?? hash
      throw new CsdlInputError(
        `stream ${hash} (${file}) does not compile:\n${r.diagnostics.map(formatDiagnostic).join('\n')}`,
      )
    }
  return registry
}

/**
 * `sluice csdl validate`: compiles one definition; prints its hash and DPU cost (exit 0), or one
 * `LINE:COL: message` per error (exit 1).
 */
export async function runValidate(options: {
  readonly file: string
  readonly streams: StreamFiles
  readonly lists: ListFiles
  readonly json: boolean
  readonly stdout: Writable
}): Promise<number> {
  const registry = await loadRegistry(options.streams, options.lists)
  const result: CompileResult = registry.register(await readText(options.file))
  if (!result.ok) {
    if (options.json)
      options.stdout.write(
        `${JSON.stringify({ errors: result.diagnostics.map(({ line, column, code, message }) => ({ line, column, code, message })) })}\n`,
      )
    else for (const d of result.diagnostics) options.stdout.write(`${formatDiagnostic(d)}\n`)
    return 1
  }
  const { hash, dpu } = result.definition
  if (options.json)
    options.stdout.write(`${JSON.stringify({ hash, dpu: dpu.total, detail: dpu.detail })}\n`)
  else options.stdout.write(`hash ${hash}\ndpu ${dpu.total}\n`)
  return 0
}

function matchLine(id: unknown, matches: readonly FilterMatch[]): string {
  const tags: Record<
    string,
    { tags?: readonly string[]; tag_tree?: Readonly<Record<string, unknown>> }
  > = {}
  for (const m of matches) {
    const hasTree = Object.keys(m.tagTree).length > 0
    if (m.tags.length > 0 || hasTree)
      tags[m.hash] = {
        ...(m.tags.length > 0 ? { tags: m.tags } : {}),
        ...(hasTree ? { tag_tree: m.tagTree } : {}),
      }
  }
  return JSON.stringify({
    id: typeof id === 'string' ? id : null,
    matches: matches.map((m) => m.hash),
    tags,
  })
}

/**
 * `sluice csdl match`: runs every filter over interactions given as NDJSON (nested by target
 * path, as `sluice normalize` writes them) through one shared plan, and writes one line per
 * input: `{"id", "matches": [hash…], "tags": {hash: {tags, tag_tree}}}`. A line that is not a
 * JSON object gets `{"id": null, "error": …}` and is counted. Summary on stderr.
 */
export async function runMatch(options: {
  readonly filters: readonly string[]
  readonly input: string
  readonly streams: StreamFiles
  readonly lists: ListFiles
  readonly stdout: Writable
  readonly stderr: Writable
}): Promise<void> {
  const registry = await loadRegistry(options.streams, options.lists)
  const set = new FilterSet()
  const defs: { file: string; def: CompiledDefinition }[] = []
  for (const file of options.filters) {
    const r = registry.register(await readText(file))
    if (!r.ok)
      throw new CsdlInputError(
        `${file} does not compile:\n${r.diagnostics.map(formatDiagnostic).join('\n')}`,
      )
    set.add(r.definition)
    defs.push({ file, def: r.definition })
  }
  const out = new LineSink(options.stdout)
  const counts = new Map<string, number>()
  let lines = 0
  let matched = 0
  let bad = 0
  const started = performance.now()
  for await (const batch of readLineBatches(options.input)) {
    let full = false
    for (const line of batch) {
      if (line.trim() === '') continue
      lines++
      let interaction: unknown
      try {
        interaction = JSON.parse(line)
      } catch (e) {
        interaction = undefined
        bad++
        full =
          out.push(
            JSON.stringify({
              id: null,
              error: `invalid JSON (${e instanceof Error ? e.message : String(e)})`,
            }),
          ) || full
        continue
      }
      if (typeof interaction !== 'object' || interaction === null || Array.isArray(interaction)) {
        bad++
        full = out.push(JSON.stringify({ id: null, error: 'not a JSON object' })) || full
        continue
      }
      const matches = set.match(interaction)
      if (matches.length > 0) matched++
      for (const m of matches) counts.set(m.hash, (counts.get(m.hash) ?? 0) + 1)
      const id = (interaction as { interaction?: { id?: unknown } }).interaction?.id
      full = out.push(matchLine(id, matches)) || full
    }
    if (full) await out.flush()
  }
  await out.flush()
  const seconds = (performance.now() - started) / 1000
  options.stderr.write(`interactions read:     ${lines}\n`)
  options.stderr.write(`matched one or more:   ${matched}\n`)
  options.stderr.write(`not an interaction:    ${bad}\n`)
  for (const { file, def } of defs)
    options.stderr.write(
      `  ${def.hash} ${String(counts.get(def.hash) ?? 0).padStart(8)}  ${file}\n`,
    )
  options.stderr.write(
    `elapsed:               ${seconds.toFixed(2)} s (${Math.round(lines / Math.max(seconds, 1e-9))} interactions/s)\n`,
  )
}
