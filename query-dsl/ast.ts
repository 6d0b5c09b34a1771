import type { CsdlOperator } from '../schemas/index.js'

/*
 * The CSDL syntax tree: a readonly discriminated union on `kind`. Every node carries the UTF-16
 * offsets of the source it came from, so every later error can point at its cause.
 */

interface Span {
  readonly start: number
  readonly end: number
}

/** A target path as written, lower-cased (targets are case-insensitive, csdl.md §2.3). */
export interface NameNode extends Span {
  readonly kind: 'Name'
  readonly text: string
}

/** An operator: its canonical name (synonyms resolved, csdl.md §4) and the spelling used. */
export interface OperatorNode extends Span {
  readonly kind: 'Operator'
  readonly name: CsdlOperator
  readonly written: string
}

/** `[name(value, …)]` after an operator: case, keep, drop, language (csdl.md §2.8). */
export interface SwitchNode extends Span {
  readonly kind: 'Switch'
  readonly name: string
  readonly values: readonly string[]
}

/** A double-quoted argument; `raw` keeps escapes so lists can split on unescaped separators. */
export interface StringNode extends Span {
  readonly kind: 'String'
  readonly raw: string
}

export interface NumberNode extends Span {
  readonly kind: 'Number'
  readonly text: string
  readonly value: number
}

/** `[1, 2, 3]`: only for `in` on integer targets (csdl.md §2.7). */
export interface IntListNode extends Span {
  readonly kind: 'IntList'
  readonly items: readonly NumberNode[]
}

export type ArgumentNode = StringNode | NumberNode | IntListNode

/** `TARGET [cs] OPERATOR {SWITCH} [ARGUMENT]`. */
export interface ConditionNode extends Span {
  readonly kind: 'Condition'
  readonly target: NameNode
  readonly caseSensitive: boolean
  readonly operator: OperatorNode
  readonly switches: readonly SwitchNode[]
  readonly argument: ArgumentNode | undefined
}

/** `stream "<hash>"` (or the legacy `rule "<hash>"`, csdl.md §7). */
export interface StreamRefNode extends Span {
  readonly kind: 'StreamRef'
  readonly hash: string
}

export interface NotNode extends Span {
  readonly kind: 'Not'
  readonly operand: ExprNode
}

/** n-ary AND; operands in source order. */
export interface AndNode extends Span {
  readonly kind: 'And'
  readonly operands: readonly ExprNode[]
}

/** n-ary OR; operands in source order. */
export interface OrNode extends Span {
  readonly kind: 'Or'
  readonly operands: readonly ExprNode[]
}

/**
 * A part of an expression that did not parse. It only occurs in trees that come with
 * diagnostics, so that the rest of the definition can still be checked.
 */
export interface InvalidNode extends Span {
  readonly kind: 'Invalid'
}

export type ExprNode = OrNode | AndNode | NotNode | ConditionNode | StreamRefNode | InvalidNode

/** A tag label: a string label, or a number for a score rule (csdl.md §8). */
export type TagLabel =
  | { readonly kind: 'Label'; readonly text: string; readonly start: number; readonly end: number }
  | {
      readonly kind: 'Score'
      readonly value: number
      readonly text: string
      readonly start: number
      readonly end: number
    }

/** `tag[.ns…] LABEL { expression }`. */
export interface TagRuleNode extends Span {
  readonly kind: 'TagRule'
  readonly namespace: readonly string[]
  readonly label: TagLabel
  readonly body: ExprNode
}

/** `tags "<hash>"`: imports the tag rules of a tag-only definition (csdl.md §8.4). */
export interface TagsImportNode extends Span {
  readonly kind: 'TagsImport'
  readonly hash: string
}

/**
 * A whole definition: tag rules and imports (in order), and the filter: the plain expression,
 * or the body of `return { … }`. A tag-only definition has no filter.
 */
export interface DefinitionNode extends Span {
  readonly kind: 'Definition'
  readonly statements: readonly (TagRuleNode | TagsImportNode)[]
  readonly filter: ExprNode | undefined
  readonly hasReturn: boolean
}

export type CsdlNode =
  | DefinitionNode
  | TagRuleNode
  | TagsImportNode
  | ExprNode
  | NameNode
  | OperatorNode
  | SwitchNode
  | ArgumentNode

/** Node kinds that are expressions. */
export function isExpr(node: CsdlNode): node is ExprNode {
  return (
    node.kind === 'Or' ||
    node.kind === 'And' ||
    node.kind === 'Not' ||
    node.kind === 'Condition' ||
    node.kind === 'StreamRef'
  )
}

/**
 * A compact, stable S-expression of an expression, used by the golden tests and in messages:
 * `(and (contains interaction.content "x") (not (exists twitter.geo)))`.
 */
export function printExpr(node: ExprNode): string {
  switch (node.kind) {
    case 'Or':
      return `(or ${node.operands.map(printExpr).join(' ')})`
    case 'And':
      return `(and ${node.operands.map(printExpr).join(' ')})`
    case 'Not':
      return `(not ${printExpr(node.operand)})`
    case 'StreamRef':
      return `(stream "${node.hash}")`
    case 'Invalid':
      return '(invalid)'
    case 'Condition': {
      const op = `${node.caseSensitive ? 'cs ' : ''}${node.operator.name}`
      const switches = node.switches.map((s) => ` [${s.name}(${s.values.join(',')})]`).join('')
      return `(${op} ${node.target.text}${switches}${node.argument === undefined ? '' : ` ${printArgument(node.argument)}`})`
    }
  }
}

function printArgument(a: ArgumentNode): string {
  switch (a.kind) {
    case 'String':
      return `"${a.raw}"`
    case 'Number':
      return a.text
    case 'IntList':
      return `[${a.items.map((i) => i.text).join(',')}]`
  }
}

/** The S-expression of a whole definition: tag rules, imports and the filter, one per line. */
export function printDefinition(def: DefinitionNode, separator = '\n'): string {
  const parts = def.statements.map((s) =>
    s.kind === 'TagsImport'
      ? `(tags "${s.hash}")`
      : `(${['tag', ...s.namespace].join('.')} ${s.label.kind === 'Label' ? `"${s.label.text}"` : s.label.text} ${printExpr(s.body)})`,
  )
  if (def.filter !== undefined)
    parts.push(def.hasReturn ? `(return ${printExpr(def.filter)})` : printExpr(def.filter))
  return parts.join(separator)
}
