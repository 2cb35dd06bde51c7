import type { Window } from '../model/window.js';
import { merged } from '../util/merged.js';
import { groupAggregation } from './groupKey.js';
import { topCountAggs } from './topCounts.js';
import type { RuleAlert } from './types.js';

/** Name of the terms aggregation alertcron adds for `group_by`. */
export const GROUP_AGG = 'alertcron_groups';
/** Name of the top-hits sub-aggregation that brings sample documents per group. */
export const SAMPLES_AGG = 'alertcron_samples';

/** The sort that brings the newest documents first. */
export function newestFirst(alert: RuleAlert): unknown[] {
  return [{ [alert.timestamp_field]: { order: 'desc', unmapped_type: 'date' } }];
}

/** The aggregations the user's query body declares (`aggs` or `aggregations`), if any. */
export function userAggregations(query: Record<string, unknown>): Record<string, unknown> | undefined {
  return (query.aggs ?? query.aggregations) as Record<string, unknown> | undefined;
}

/** The timeframe that ends at the run window's end: what flatline, spike, cardinality ... count over. */
export function lastTimeframe(window: Window, timeframe: number): Window {
  return { from: window.to - timeframe, to: window.to };
}

/** A filter on the alert's time field to [from, to). */
export function timeRange(alert: RuleAlert, span: Window): Record<string, unknown> {
  return { range: { [alert.timestamp_field]: { gte: span.from, lt: span.to, format: 'epoch_millis' } } };
}

/** `base` with one more filter ANDed to its query. */
export function withFilter(base: Record<string, unknown>, filter: Record<string, unknown>): Record<string, unknown> {
  return merged(base, { query: { bool: { filter: [base.query ?? { match_all: {} }, filter] } } });
}

/**
 * The search of a hit-counting rule: with group_by, a terms aggregation (multi_terms for several fields) with the
 * newest documents of each key (no total, no sort); without, the total and the newest documents. At least one
 * document is fetched: its fields feed the templates even when no samples are shown. top_count_keys add their terms
 * aggregations beside the samples (per key) or at the top (without group_by).
 */
export function countingSearch(base: Record<string, unknown>, alert: RuleAlert): Record<string, unknown> {
  const documents = Math.max(1, alert.samples);
  const aggs = userAggregations(alert.query);
  const top = topCountAggs(alert);
  if (!alert.group_by) {
    const all = merged(aggs, top);
    return merged(base, { size: documents, track_total_hits: true, sort: newestFirst(alert) }, Object.keys(all).length > 0 && { aggs: all });
  }
  return merged(base, {
    size: 0,
    aggs: merged(aggs, {
      [GROUP_AGG]: merged(groupAggregation(alert.group_by, alert.group_size), {
        aggs: merged(top, { [SAMPLES_AGG]: { top_hits: { size: documents, sort: newestFirst(alert) } } }),
      }),
    }),
  });
}
