import type { Writable } from 'node:stream'
import { TARGET_CATALOG, TARGETS, type InteractionType } from '../../schemas/index.js'

/** Options of `sluice targets`. */
export interface TargetsOptions {
  readonly source: InteractionType | undefined
  readonly json: boolean
  readonly stdout: Writable
}

/**
 * `sluice targets`: the CSDL targets Sluice fills, with their type, the sources that fill them
 * and the operators they accept; as a table, or as NDJSON with --json.
 */
export function runTargets(options: TargetsOptions): void {
  const rows = TARGETS.filter(
    (t) => options.source === undefined || t.sources.includes(options.source),
  )
  if (options.json) {
    for (const t of rows) {
      const entry = TARGET_CATALOG.get(t.path)
      options.stdout.write(
        `${JSON.stringify({ path: t.path, type: t.type, list: t.list, csdlType: entry?.csdlType, sources: t.sources, operators: [...(entry?.operators ?? [])], doc: t.doc })}\n`,
      )
    }
    return
  }
  const width = Math.max(...rows.map((t) => t.path.length))
  for (const t of rows) {
    const type = `${t.type}${t.list ? '[]' : ''}`
    options.stdout.write(
      `${t.path.padEnd(width)}  ${type.padEnd(11)}  ${t.sources.join(',').padEnd(34)}  ${t.doc}\n`,
    )
  }
}
