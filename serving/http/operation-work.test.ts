import { parse } from 'graphql'
import { describe, expect, it } from 'vitest'
import { operationWork } from './operation-work.js'

describe('operationWork', () => {
  const filter = `interaction.content contains "${'x'.repeat(10 * 1024)}"`

  it('charges a filter once however many aliases share it, and each distinct one by size', () => {
    const one = parse('query($c: String!) { a: validateCsdl(csdl: $c) { valid } }')
    const hundred = parse(
      `query($c: String!) { ${Array.from({ length: 100 }, (_, i) => `a${i}: validateCsdl(csdl: $c) { valid }`).join(' ')} }`,
    )
    const compileUnits = Math.ceil(Buffer.byteLength(filter) / 1024)
    expect(operationWork(one, undefined, { c: filter })).toBe(1 + compileUnits)
    expect(operationWork(hundred, undefined, { c: filter })).toBe(100 + compileUnits)
    const two = parse(
      'query($a: String!, $b: String!) { x: validateCsdl(csdl: $a) { valid } y: validateCsdl(csdl: $b) { valid } }',
    )
    expect(operationWork(two, undefined, { a: filter, b: `${filter} ` })).toBe(2 + 2 * compileUnits)
  })

  it('follows fragments and inline fragments, and picks the named operation', () => {
    const doc = parse(`
      query A { ...F }
      query B { me { id } }
      fragment F on Query { ... on Query { estimateReplay(csdl: "interaction.id exists", from: 0, to: 1) { matches } } }
    `)
    expect(operationWork(doc, 'A', {})).toBe(101)
    expect(operationWork(doc, 'B', {})).toBe(0)
  })

  it('costs nothing for plain reads', () => {
    expect(operationWork(parse('{ streams { hash } me { id } }'), undefined, {})).toBe(0)
  })
})
