import type { SearchRequest, SearchResponse } from '../../model/search.js';
import type { Window } from '../../model/window.js';
import { ruleTypeOf } from '../../rules/registry.js';
import type { FusionKey } from './fuse.js';
import type { SearchAlertDef } from './types.js';
import { omitted } from '../../util/merged.js';

/** The span an alert's search covers for a run's window: the window, or wider for rule types that look back further. */
export function searchSpan(alert: SearchAlertDef, window: Window): Window {
  return ruleTypeOf(alert.condition).span?.(alert.condition, window, alert) ?? window;
}

/**
 * Builds the search for one alert and window: the user's query filtered to the span its rule type searches
 * (the window, or wider), then shaped by the rule type (size, sort, aggregations).
 */
export function buildSearch(alert: SearchAlertDef, window: Window): SearchRequest {
  const rule = ruleTypeOf(alert.condition);
  return { index: alert.index, body: rule.search(baseSearch(alert, searchSpan(alert, window)), alert, alert.condition, window) };
}

/**
 * The alert's search over exactly `span`, not widened by its rule type: what a hit summary over a span a person
 * chose (`test --from/--to`) counts.
 */
export function buildSearchOver(alert: SearchAlertDef, span: Window): SearchRequest {
  return { index: alert.index, body: ruleTypeOf(alert.condition).search(baseSearch(alert, span), alert, alert.condition, span) };
}

/**
 * The second search of a rule type that asks for one after seeing the first response (new_term's check of its
 * candidates against the history), or undefined when it needs none.
 */
export function buildFollowUp(alert: SearchAlertDef, window: Window, response: SearchResponse): SearchRequest | undefined {
  const rule = ruleTypeOf(alert.condition);
  const body = rule.followUp?.((span) => baseSearch(alert, span), response, alert, alert.condition, window);
  return body ? { index: alert.index, body } : undefined;
}

/** Whether the alert's rule type judges without its follow-up's answer when that search fails (temporal), or fails the run (new_term). */
export function followUpOptional(alert: SearchAlertDef): boolean {
  return ruleTypeOf(alert.condition).followUpOptional === true;
}

/** What the alert's search shares with others that may be fused with it: index, timestamp field and span. */
export function fusionKey(alert: SearchAlertDef, window: Window): FusionKey {
  const span = searchSpan(alert, window);
  return { index: alert.index, timestamp_field: alert.timestamp_field, from: span.from, to: span.to };
}

/** The keys of the user's search body that the rule type sets itself: baseSearch leaves them out. */
const SHAPED_KEYS: ReadonlySet<string> = new Set(['query', 'aggs', 'aggregations', 'size', 'sort', 'from', 'track_total_hits']);

/** The user's query filtered to the span, without size, sort or aggregations. */
function baseSearch(alert: SearchAlertDef, span: Window): Record<string, unknown> {
  const range = { range: { [alert.timestamp_field]: { gte: span.from, lt: span.to, format: 'epoch_millis' } } };
  // The user's other keys, then the query with the span.
  const base = omitted(alert.query, SHAPED_KEYS);
  base.query = { bool: { filter: [alert.query.query ?? { match_all: {} }, range] } };
  return base;
}
