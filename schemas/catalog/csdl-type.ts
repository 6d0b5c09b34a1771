/**
 * CSDL's view of a target's type (csdl.md §3.1 and §13). `bool` and `timestamp` are Sluice's
 * additions: a bool compares with == / != against true/false (or 1/0); a timestamp compares
 * numerically against Unix seconds. `any` is the type of targets in the open namespaces of
 * csdl.md §12.5 (tumblr.*, wordpress.*, …) whose exact types the reference does not give: every
 * operator is accepted and the value decides at run time.
 */
export type CsdlType =
  'string' | 'int' | 'float' | 'geo' | 'bool' | 'timestamp' | 'array(string)' | 'array(int)' | 'any'
