// The processing pipeline as alertcron holds it: pySigma's pipeline format (name, priority, transformations with
// their rule, detection-item and field-name conditions), checked once when it is loaded, applied to parsed rules.

/** A transformation type this compiler carries out (pySigma's YAML `type` names). */
export type TransformationType =
  | 'field_name_mapping'
  | 'field_name_prefix'
  | 'field_name_suffix'
  | 'field_name_prefix_mapping'
  | 'add_condition'
  | 'change_logsource'
  | 'convert_type'
  | 'set_value'
  | 'replace_string'
  | 'map_string'
  | 'drop_detection_item'
  | 'rule_failure'
  | 'detection_item_failure'
  | 'strict_field_mapping_failure';

/** One condition of a transformation item, as written (its `type` and parameters), already checked. */
export interface PipelineCondition {
  type: string;
  [parameter: string]: unknown;
}

/** How the conditions of one level (rule, detection item, field name) combine. */
export interface ConditionSet {
  /** Conditions by name: list items are named by their position ("1", "2", ...). */
  conditions: [string, PipelineCondition][];
  op: 'and' | 'or';
  not: boolean;
  /** `*_cond_expr`: a boolean expression over the condition names (instead of `op`). */
  expr?: ConditionExpr;
}

/** A parsed `*_cond_expr`. */
export type ConditionExpr = { ref: string } | { not: ConditionExpr } | { and: ConditionExpr[] } | { or: ConditionExpr[] };

/** One transformation item of a pipeline. */
export interface PipelineItem {
  /** Its `id`, or `<pipeline>#<position>` when it has none. */
  id: string;
  type: TransformationType;
  /** The transformation's parameters (the item's other keys). */
  params: Record<string, unknown>;
  rule: ConditionSet;
  detectionItem: ConditionSet;
  fieldName: ConditionSet;
}

/** A pipeline ready to apply: the items of every pipeline named, in the order pySigma's resolver runs them. */
export interface SigmaPipeline {
  /** The names of the merged pipelines, lowest priority first. */
  names: string[];
  items: PipelineItem[];
  /** Fields the index maps as `ip` (declared by the pipelines' `field_types`): strings there are compared as addresses. */
  ipFields: string[];
}

/** A pipeline in pySigma's YAML shape as plain data (a shipped profile, or a parsed pipeline file). */
export interface PipelineDefinition {
  name?: string;
  priority?: number;
  transformations: Record<string, unknown>[];
}
