import type { SearchRequest } from '../../model/search.js';
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
  const { query, aggs: _aggs, aggregations: _aggregations, size: _size, sort: _sort, from: _from, track_total_hits: _t, ...rest } = alert.query;
  const range = { range: { [alert.timestamp_field]: { gte: span.from, lt: span.to, format: 'epoch_millis' } } };
  const base = { ...rest, query: { bool: { filter: [query ?? { match_all: {} }, range] } } };
  return { index: alert.index, body: rule.search(base, alert, alert.condition, window) };
}
