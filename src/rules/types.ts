import type { Finding } from '../model/finding.js';
import type { SearchResponse } from '../model/search.js';
import type { Window } from '../model/window.js';
import type { Observed } from './observed.js';

/** A threshold on a number: every bound given must hold. */
export interface Threshold {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

/** The condition of an alert, one variant per rule type. */
export type ConditionDef =
  | { type: 'any' }
  | ({ type: 'count' } & Threshold)
  | ({ type: 'buckets'; path: string; value: string } & Threshold)
  | { type: 'script'; module: string; modulePath: string; options: Record<string, unknown>; /** Time limit of one load or call, in ms. */ timeout: number }
  | FrequencyCondition
  | TemporalCondition
  | FlatlineCondition
  | SpikeCondition
  | NewTermCondition
  | CardinalityCondition
  | ChangeCondition
  | PercentageMatchCondition
  | MetricAggregationCondition
  | ({ type: 'blacklist' } & ListOptions)
  | ({ type: 'whitelist' } & ListOptions);

/** `frequency`: at least num_events events of one key within any timeframe-wide window ending in the run's window. Durations in ms. */
export interface FrequencyCondition {
  type: 'frequency';
  num_events: number;
  timeframe: number;
  /** Width of the time buckets the window slides over. */
  resolution: number;
}

/** `temporal`: per key, every named filter matches within any timeframe-wide window ending in the run's window (ordered: in the listed order). Durations in ms. */
export interface TemporalCondition {
  type: 'temporal';
  timeframe: number;
  ordered: boolean;
  /** Width of the time buckets whose first and last matches are compared. */
  resolution: number;
  /** The named filters, in the order written. */
  rules: { name: string; query: Record<string, unknown> }[];
}

/** `flatline`: fewer than threshold events within the last timeframe (per key seen within key_history). Durations in ms. */
export interface FlatlineCondition {
  type: 'flatline';
  threshold: number;
  timeframe: number;
  key_history: number;
}

/** `spike`: the current timeframe against the one before it, by count or by the average of field_value. Durations in ms. */
export interface SpikeCondition {
  type: 'spike';
  timeframe: number;
  spike_height: number;
  spike_type: 'up' | 'down' | 'both';
  threshold_cur: number;
  threshold_ref: number;
  field_value?: string;
  alert_on_new_data: boolean;
}

/** `new_term`: values (of one field, or compound) first seen in the run's window, against terms_window_size of history. */
export interface NewTermCondition {
  type: 'new_term';
  fields: string[];
  terms_window_size: number;
}

/** `cardinality`: distinct values of a field within timeframe above max_cardinality or below min_cardinality. */
export interface CardinalityCondition {
  type: 'cardinality';
  cardinality_field: string;
  timeframe: number;
  max_cardinality?: number;
  min_cardinality?: number;
}

/** `change`: the value of compare_key (one field or several) changed for a key; old and new value in the finding. */
export interface ChangeCondition {
  type: 'change';
  compare_key: string[];
  timeframe?: number;
  key_history: number;
}

/** `percentage_match`: the share of events matching match_bucket_filter outside [min_percentage, max_percentage]. */
export interface PercentageMatchCondition {
  type: 'percentage_match';
  match_bucket_filter: Record<string, unknown>;
  min_percentage?: number;
  max_percentage?: number;
  min_denominator: number;
  timeframe?: number;
}

/** The metrics metric_aggregation computes. */
export type MetricAggType = 'min' | 'max' | 'avg' | 'sum' | 'cardinality' | 'value_count';

/** `metric_aggregation`: a metric of a field (per key) above max_threshold or below min_threshold. */
export interface MetricAggregationCondition {
  type: 'metric_aggregation';
  metric_agg_key: string;
  metric_agg_type: MetricAggType;
  max_threshold?: number;
  min_threshold?: number;
  min_doc_count: number;
  timeframe?: number;
}

/** `blacklist` / `whitelist`: events whose compare_key is (or is not) one of the listed values, `!file` entries expanded. */
export interface ListOptions {
  compare_key: string;
  values: (string | number)[];
  /** whitelist: events without compare_key do not fire. */
  ignore_null: boolean;
  /** The `!file` lists read (absolute paths): a change to one makes the alert checked and completed again. */
  files?: string[];
}

/** The parts of a search alert that rule types read. */
export interface RuleAlert {
  name: string;
  /** The alert file, as shown (relative to the configuration folder): a script's errors name paths from there. */
  file: string;
  index: string;
  query: Record<string, unknown>;
  condition: ConditionDef;
  /** The field(s) whose values make the key; several fields make a compound key. */
  group_by?: string[];
  group_size: number;
  timestamp_field: string;
  samples: number;
  /** top_count_keys / top_count_number: the fields whose top values among a finding's events the notice lists. */
  top_counts?: { keys: string[]; number: number };
}

/** What a rule type's evaluate() gets: the alert, the window searched, the response and its own saved state. */
export interface RuleInput<C extends ConditionDef = ConditionDef> {
  alert: RuleAlert;
  condition: C;
  window: Window;
  response: SearchResponse;
  /** What this rule type saved for this alert last time (undefined the first time). */
  state: unknown;
}

/** What a rule type's evaluate() returns: the findings, and the state to keep for the next run (if any). */
export interface RuleOutput {
  findings: Finding[];
  state?: unknown;
  /** Set when the response could not hold every key (e.g. more groups than group_size): says what was left out. */
  incomplete?: string;
  /** Keys seen this run whose events were not all judged: they are neither resolved nor counted absent, while the other keys are. */
  unjudged?: string[];
  /** A note on this run that leaves the answer complete for every other key (told on stderr and in the audit log). */
  note?: string;
  /** The number the rule type compared (below the threshold too), in all and per key: what a backtest chart draws. */
  observed?: Observed;
}

/** A field a condition names, under one of its keys, that the cluster must be able to aggregate (or match exactly) on. */
export interface ConditionField {
  /** The condition's key that names it (compare_key, fields ...). */
  key: string;
  field: string;
  /** Set when the condition computes on its values as numbers (avg, sum ...): the field must be numeric. */
  numeric?: boolean;
}

/** What check() sees of the alert besides its condition: the grouping, the query and the longest window a run searches (ms). */
export interface AlertLimits {
  group_by?: unknown;
  query: Record<string, unknown>;
  group_size?: number;
  /** The longest run window: max_catchup or first_lookback, whichever is longer. */
  longest_window?: number;
}

/** A problem a rule type finds in an alert file, at a path inside it. */
export interface RuleProblem {
  path: (string | number)[];
  message: string;
}

/**
 * A rule type: how a condition shapes the alert's search and turns its response into findings. Each one is a
 * file in src/rules/ plus one line in src/rules/registry.ts.
 */
export interface RuleType<C extends ConditionDef = ConditionDef> {
  type: C['type'];
  /** Set when a finding is the events of its key, so that top_count_keys can count their values in the same search. */
  topCounts?: true;
  /** Completes the condition as written in the alert file (defaults, resolved paths). */
  complete(raw: Record<string, unknown>, alertFile: string): C;
  /** The files completion read besides the alert file (a script, `!file` lists): a change to one makes it completed again. */
  inputFiles?(condition: C): string[];
  /** Problems with the condition that the schema cannot see (e.g. a buckets condition without aggregations). */
  check?(raw: Record<string, unknown>, alert: AlertLimits, alertFile: string): RuleProblem[];
  /** The fields the condition names, for `validate --cluster` and `test` to check against the mapping. */
  fields?(condition: C): ConditionField[];
  /** The span to search for a run's window: wider for rules that look back further (default: the window). */
  span?(condition: C, window: Window, alert: RuleAlert): Window;
  /**
   * The search body over the span: `base` is the user's query filtered to the span, without size, sort or
   * aggregations; `window` is the run's window (the span is what span() made of it).
   */
  search(base: Record<string, unknown>, alert: RuleAlert, condition: C, window: Window): Record<string, unknown>;
  /**
   * A second search in the same run, built from the first response (its answer reaches evaluate() as
   * `response.followUp`); `base(span)` is the user's query filtered to a span. Undefined when none is needed.
   */
  followUp?(base: (span: Window) => Record<string, unknown>, response: SearchResponse, alert: RuleAlert, condition: C, window: Window): Record<string, unknown> | undefined;
  /**
   * True when evaluate() can judge without the follow-up's answer (given `response.followUpError` instead); otherwise
   * a failed follow-up fails the alert's run.
   */
  followUpOptional?: boolean;
  /**
   * Turns the response into findings, with the state to keep for the next run. Deterministic given the response,
   * the saved state and the window (whose end is the run's now less ingest_delay): a backtest replays it step by step.
   */
  evaluate(input: RuleInput<C>): Promise<RuleOutput> | RuleOutput;
}
