import type { Window } from '../model/window.js';
import { buildSearch, buildSearchOver } from '../sources/elasticsearch/buildSearch.js';
import type { SearchAlertDef } from '../sources/elasticsearch/types.js';
import { getField } from '../util/fieldPath.js';
import { errorReason, indexPath, type ClusterClient } from './clusterClient.js';

/** What an alert's query finds in a window before its condition and grouping: hits in all and per index, and keys. */
export interface HitSummary {
  total: number;
  perIndex: { index: string; hits: number }[];
  /** Distinct group_by values (approximate above 3,000), or buckets at a buckets condition's path. */
  keys?: number;
  /** Hits that have no group_by value (they belong to no key). */
  withoutKey?: number;
}

/**
 * Counts, with one size-0 search, what an alert's query matches per index and per key: in the span a run's search
 * for `window` covers, or with `exact` in `window` itself (a span a person chose).
 */
export async function hitSummary(client: ClusterClient, alert: SearchAlertDef, window: Window, groupable: boolean, exact = false): Promise<HitSummary | { error: string }> {
  const query = (exact ? buildSearchOver(alert, window) : buildSearch(alert, window)).body.query;
  const aggs: Record<string, unknown> = { by_index: { terms: { field: '_index', size: 20 } } };
  if (alert.group_by && groupable) {
    // A compound key's distinct values would need a script: only a single field's are counted.
    if (alert.group_by.length === 1) aggs.keys = { cardinality: { field: alert.group_by[0] } };
    aggs.without_key = { filter: { bool: { should: alert.group_by.map((field) => ({ bool: { must_not: { exists: { field } } } })), minimum_should_match: 1 } } };
  }
  if (alert.condition.type === 'buckets') Object.assign(aggs, alert.query.aggs ?? alert.query.aggregations);
  const answer = await client.call('POST', `/${indexPath(alert.index)}/_search?ignore_unavailable=true&allow_no_indices=true`, { size: 0, track_total_hits: true, query, aggs });
  if (answer.status >= 300) return { error: errorReason(answer.body) ?? `HTTP ${answer.status}` };
  const body = answer.body as { hits?: { total?: number | { value: number } }; aggregations?: Record<string, any> };
  const total = typeof body.hits?.total === 'number' ? body.hits.total : body.hits?.total?.value ?? 0;
  const aggregations = body.aggregations ?? {};
  const summary: HitSummary = {
    total,
    perIndex: ((aggregations.by_index?.buckets ?? []) as { key: string; doc_count: number }[]).map((b) => ({ index: b.key, hits: b.doc_count })),
  };
  if (aggregations.keys) summary.keys = aggregations.keys.value;
  if (aggregations.without_key) summary.withoutKey = aggregations.without_key.doc_count;
  if (alert.condition.type === 'buckets') {
    const path = alert.condition.path.endsWith('.buckets') ? alert.condition.path : `${alert.condition.path}.buckets`;
    const buckets = getField(aggregations, path);
    if (buckets && typeof buckets === 'object') summary.keys = Object.keys(buckets).length;
  }
  return summary;
}
