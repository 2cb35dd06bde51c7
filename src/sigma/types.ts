// The shapes every part of the Sigma compiler agrees on: the parsed rule (a pySigma-shaped condition tree over
// detection items), the correlation rule, pipelines and the compiled result an alert uses.

/** A string value: literal text and Sigma's wildcards (`*` any run, `?` one character); `parts: []` is the empty string. */
export interface SigmaString {
  type: 'string';
  /** Adjacent literal parts are merged; a literal `*` or `?` (written `\*`, `\?`) is plain text inside a literal part. */
  parts: (string | SigmaWildcard)[];
  /** The `cased` modifier: match case-sensitively (Sigma strings are case-insensitive otherwise). */
  cased?: true;
}

/** One of Sigma's two wildcards inside a string. */
export interface SigmaWildcard {
  wildcard: '*' | '?';
}

/** What a detection item compares a field with, after every modifier has been applied. */
export type SigmaValue =
  | SigmaString
  | { type: 'number'; value: number }
  | { type: 'bool'; value: boolean }
  /** `null` in YAML: the field is absent (or null). */
  | { type: 'null' }
  /** The `re` modifier: a regular expression as written (PCRE-like), with its `i`, `m`, `s` flags. */
  | { type: 're'; pattern: string; flags: ('i' | 'm' | 's')[] }
  /** The `cidr` modifier: an IPv4 or IPv6 network as written (`10.0.0.0/8`). */
  | { type: 'cidr'; network: string }
  /** The `gt`, `gte`, `lt`, `lte` modifiers. */
  | { type: 'compare'; op: 'gt' | 'gte' | 'lt' | 'lte'; value: number }
  /** The `exists` modifier. */
  | { type: 'exists'; value: boolean };

/** A leaf of the condition tree: one field (null for a keyword search over the whole event) and one value. */
export interface SigmaMatch {
  type: 'match';
  field: string | null;
  value: SigmaValue;
  /** Ids of the pipeline items that changed this leaf (pySigma's processing_item_applied), set by the pipeline. */
  applied?: string[];
}

/**
 * The condition tree of a rule, shaped as pySigma shapes it: a detection (map) is an AND of its items, a list of
 * maps an OR, an item with several values an OR (AND with `all`); `1 of`/`all of` an OR/AND of the detections in
 * the order they are defined; an AND or OR of one child is that child, except a modifier's expansion (windash,
 * base64offset: the alternatives one value became), an OR even of one value as pySigma's backend renders it; nested
 * nodes are not flattened.
 */
export type SigmaNode =
  | SigmaMatch
  /** `item`: the values of one detection item (a field's value list with `all`), as pySigma's item is one unit. */
  | { type: 'and'; items: SigmaNode[]; item?: true }
  /**
   * `expansion`: the values one value became through `windash` or `base64offset` (pySigma's SigmaExpansion, which its
   * Lucene output never parenthesises); `item`: the values of one detection item (a field's value list).
   */
  | { type: 'or'; items: SigmaNode[]; expansion?: true; item?: true }
  | { type: 'not'; item: SigmaNode };

/** `logsource:` of a rule. */
export interface SigmaLogsource {
  category?: string;
  product?: string;
  service?: string;
}

/** What a rule says about itself, for templates, routing and attribution (DRL 1.1 requires the author in notices). */
export interface SigmaMeta {
  title: string;
  id?: string;
  name?: string;
  status?: string;
  level?: 'informational' | 'low' | 'medium' | 'high' | 'critical';
  description?: string;
  author?: string;
  date?: string;
  modified?: string;
  tags: string[];
  falsepositives: string[];
  references: string[];
}

/** A position in a Sigma file (1-based), with the JSON path of the value inside its YAML document. */
export interface SigmaProblem {
  line: number;
  col: number;
  path: (string | number)[];
  message: string;
}

/** One detection rule of a Sigma file. */
export interface SigmaRule {
  kind: 'rule';
  meta: SigmaMeta;
  logsource: SigmaLogsource;
  /** The rule's `condition:` resolved against its detections (several conditions: their OR). */
  condition: SigmaNode;
  /** `fields:` of the rule, if any. */
  fields: string[];
  /** The first line of this rule's YAML document in its file. */
  line: number;
}

/** The comparison of a correlation rule: every bound given must hold (the spec's range form ANDs them). */
export interface SigmaCorrelationCondition {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  eq?: number;
  neq?: number;
  /** value_count (and value_sum ...): the field whose distinct values are counted. */
  field?: string;
}

/** A Sigma 2 correlation rule (its own YAML document), referring to rules by id or name. */
export interface SigmaCorrelation {
  kind: 'correlation';
  meta: SigmaMeta;
  type: 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered';
  /** Ids or names of the rules (or correlations) it correlates, as written. */
  rules: string[];
  groupBy: string[];
  /** The window, in ms. */
  timespan: number;
  /** Absent for temporal types (pySigma's default: all rules, gte their number). */
  condition?: SigmaCorrelationCondition;
  /** alias -> { rule id or name -> field }. */
  aliases: Record<string, Record<string, string>>;
  generate: boolean;
  line: number;
}

/** One YAML document of a Sigma file. */
export type SigmaDocument = SigmaRule | SigmaCorrelation;

/** A parsed Sigma file: its documents, and the problems of those that could not be used (with where they are). */
export interface ParsedSigmaFile {
  documents: SigmaDocument[];
  problems: SigmaProblem[];
}

/** Which query a Sigma alert searches with: query DSL with Sigma's semantics, or pySigma's Lucene query_string. */
export type SigmaOutput = 'dsl' | 'lucene';

/** A Sigma alert compiled: everything the elasticsearch source needs, ready to be completed like any alert. */
export interface CompiledSigma {
  /** The query body: `{ query: <DSL> }` (for `lucene`: a query_string query). */
  query: Record<string, unknown>;
  /** For a correlation: the alert's condition as a user would write it under `condition:` (e.g. frequency). */
  condition?: Record<string, unknown>;
  /** For a correlation: the group-by fields, mapped by the pipeline (the alert's key). */
  group_by?: string[];
  /** The rule's (for a correlation: the correlation's) metadata, for templates and routing. */
  meta: SigmaMeta;
  /** Every field the query reads, after the pipeline (what `validate --cluster` checks in the mapping). */
  fields: string[];
  /** Every file compiling read (the rule file, a pipeline file, files of referenced rules): a change recompiles. */
  inputs: string[];
  /** The problems of the file's other documents, which the alert does not run (it names its rule by sigma.id): warnings. */
  siblingProblems?: { line: number; col: number; message: string }[];
}
