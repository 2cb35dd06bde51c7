import type { Finding } from '../model/finding.js';
import type { SearchResponse } from '../model/search.js';
import type { Window } from '../model/window.js';

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
  | { type: 'script'; module: string; modulePath: string; options: Record<string, unknown>; /** Time limit of one load or call, in ms. */ timeout: number };

/** The parts of a search alert that rule types read. */
export interface RuleAlert {
  name: string;
  /** The alert file, as shown (relative to the configuration folder): a script's errors name paths from there. */
  file: string;
  index: string;
  query: Record<string, unknown>;
  condition: ConditionDef;
  group_by?: string;
  group_size: number;
  timestamp_field: string;
  samples: number;
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
  /** Completes the condition as written in the alert file (defaults, resolved paths). */
  complete(raw: Record<string, unknown>, alertFile: string): C;
  /** Problems with the condition that the schema cannot see (e.g. a buckets condition without aggregations). */
  check?(raw: Record<string, unknown>, alert: { group_by?: unknown; query: Record<string, unknown> }, alertFile: string): RuleProblem[];
  /** The span to search for a run's window: wider for rules that look back further (default: the window). */
  span?(condition: C, window: Window): Window;
  /** The search body over the span: `base` is the user's query filtered to the span, without size, sort or aggregations. */
  search(base: Record<string, unknown>, alert: RuleAlert, condition: C): Record<string, unknown>;
  /** Turns the response into findings, with the state to keep for the next run. */
  evaluate(input: RuleInput<C>): Promise<RuleOutput> | RuleOutput;
}
