import {
  getOperationAST,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql'

/**
 * The work a root field does beyond resolving, in units: a fixed part for each time it is
 * asked, and for each distinct filter it compiles one unit per KiB of its text (compiles are
 * cached by text, so aliases sharing a filter compile it once; a filter's compile time grows
 * with its size, ~7 ms per KiB for regular expressions). Fields not listed cost nothing here
 * (the cost limit bounds them).
 */
export const FIELD_WORK: Readonly<
  Record<string, { readonly fixed: number; readonly csdl?: string }>
> = {
  validateCsdl: { fixed: 1, csdl: 'csdl' },
  createStream: { fixed: 5, csdl: 'csdl' },
  shareStream: { fixed: 2 },
  deleteStream: { fixed: 2 },
  // A live filter run on every interaction for as long as it lasts.
  preview: { fixed: 20, csdl: 'csdl' },
  // Decodes and filters a sample of up to 20,000 archived rows.
  estimateReplay: { fixed: 100, csdl: 'csdl' },
  createReplay: { fixed: 20, csdl: 'csdl' },
  scheduleRecording: { fixed: 10 },
  createApiKey: { fixed: 2 },
  revokeApiKey: { fixed: 2 },
}

export const BYTES_PER_COMPILE_UNIT = 1024

function argumentText(
  value: ValueNode,
  variables: Readonly<Record<string, unknown>>,
): string | undefined {
  if (value.kind === Kind.STRING) return value.value
  if (value.kind === Kind.VARIABLE) {
    const v = variables[value.name.value]
    return typeof v === 'string' ? v : undefined
  }
  return undefined
}

/**
 * The work units of the operation `operationName` of `document` with `variables`: the sum of
 * {@link FIELD_WORK} over its root fields, fragments followed.
 */
export function operationWork(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): number {
  const operation = getOperationAST(document, operationName ?? undefined)
  if (operation == null) return 0
  const fragments = new Map<string, FragmentDefinitionNode>()
  for (const d of document.definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d)
  const vars = variables ?? {}
  const filters = new Set<string>()
  const visited = new Set<string>()
  let units = 0
  const visit = (set: SelectionSetNode): void => {
    for (const s of set.selections) {
      if (s.kind === Kind.INLINE_FRAGMENT) visit(s.selectionSet)
      else if (s.kind === Kind.FRAGMENT_SPREAD) {
        const f = fragments.get(s.name.value)
        // Validation refuses cycles before execution; this only keeps the walk finite.
        if (f === undefined || visited.has(f.name.value)) continue
        visited.add(f.name.value)
        visit(f.selectionSet)
        visited.delete(f.name.value)
      } else {
        const work = FIELD_WORK[s.name.value]
        if (work === undefined) continue
        units += work.fixed
        const arg = s.arguments?.find((a) => a.name.value === work.csdl)
        const text = arg === undefined ? undefined : argumentText(arg.value, vars)
        if (text !== undefined) filters.add(text)
      }
    }
  }
  visit(operation.selectionSet)
  for (const text of filters) units += Math.ceil(Buffer.byteLength(text) / BYTES_PER_COMPILE_UNIT)
  return units
}
