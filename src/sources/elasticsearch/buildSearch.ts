import type { SearchRequest, SearchResponse } from '../../model/search.js';
import type { Window } from '../../model/window.js';
import { ruleTypeOf } from '../../rules/registry.js';
import type { SearchAlertDef } from './types.js';

/**
 * Builds the search for one alert and window: the user's query filtered to the span its rule type searches
 * (the window, or wider), then shaped by the rule type (size, sort, aggregations).
 */
export function buildSearch(alert: SearchAlertDef, window: Window): SearchRequest {
  const rule = ruleTypeOf(alert.condition);
  const span = rule.span?.(alert.condition, window, alert) ?? window;
  return { index: alert.index, body: rule.search(baseSearch(alert, span), alert, alert.condition, window) };
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

/** The user's query filtered to the span, without size, sort or aggregations. */
function baseSearch(alert: SearchAlertDef, span: Window): Record<string, unknown> {
  const { query, aggs: _aggs, aggregations: _aggregations, size: _size, sort: _sort, from: _from, track_total_hits: _t, ...rest } = alert.query;
  const range = { range: { [alert.timestamp_field]: { gte: span.from, lt: span.to, format: 'epoch_millis' } } };
  return { ...rest, query: { bool: { filter: [query ?? { match_all: {} }, range] } } };
}
