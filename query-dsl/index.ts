/**
 * query-dsl/: CSDL, DataSift's filter language (../shared/csdl.md): lexer, parser, checker
 * against the schema's target catalog, predicates with the language's semantics, stream hashes
 * and DPU cost, a registry of compiled streams, and the shared plan that evaluates thousands of
 * filters per interaction. Imports `schemas/` only.
 */
export type {
  ArgumentNode,
  ConditionNode,
  CsdlNode,
  DefinitionNode,
  ExprNode,
  StreamRefNode,
  TagRuleNode,
  TagsImportNode,
} from './ast.js'
export { printDefinition, printExpr } from './ast.js'
export {
  CsdlCompileError,
  DIAGNOSTIC_MESSAGES,
  formatDiagnostic,
  lineColumn,
  positioned,
  type Diagnostic,
  type DiagnosticCode,
  type PositionedDiagnostic,
} from './diagnostics.js'
export { lex } from './lexer.js'
export { DEFAULT_LIMITS, parse, type ParseLimits, type ParseResult } from './parser.js'
export {
  compile,
  type CompileOptions,
  type CompileResult,
  type DefinitionResolver,
  type Resolution,
} from './compile.js'
export type { CompiledDefinition, CompiledTagRule, FilterExpr, TagResult } from './filter-expr.js'
export { canonicalForm, isStreamHash, streamHash } from './stream-hash.js'
export type { DpuEstimate } from './dpu-cost.js'
export { compileInScope, StreamRegistry, type ReferenceScope } from './stream-registry.js'
export { matchDefinition, matchEach, type FilterMatch } from './evaluate.js'
export { FilterSet } from './filter-set.js'
export { EvalContext } from './eval-context.js'
export type { Predicate, Trigger } from './predicate.js'
export { PhrasePredicate } from './text-predicates.js'
export {
  ExistsPredicate,
  NumberComparePredicate,
  StringInPredicate,
  type ListSource,
} from './value-predicates.js'
export { tokenize, DEFAULT_TOKENIZER, type TokenizerConfig } from './text-tokenizer.js'
export { stripLinksAndMentions } from './strip-links.js'
export {
  ALL_INTERACTIONS_CSDL,
  ALL_INTERACTIONS_NAME,
  STREAMS_PREFIX,
  SYSTEM_OWNER,
  mayReference,
  StreamCatalog,
  StreamNotFoundError,
  type CompiledSummary,
  type StreamRecord,
} from './stream-catalog.js'
export { definitionTargets } from './definition-targets.js'
