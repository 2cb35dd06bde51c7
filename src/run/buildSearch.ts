import type { AlertDef } from '../config/types.js';
import type { SearchRequest } from '../sources/elasticsearch.js';

/** The half-open time range [from, to) an alert searches in one run, in epoch milliseconds. */
export interface Window {
  from: number;
  to: number;
}

/** Name of the terms aggregation alertcron adds for `group_by`. */
export const GROUP_AGG = 'alertcron_groups';
/** Name of the top-hits sub-aggregation that brings sample documents per group. */
export const SAMPLES_AGG = 'alertcron_samples';

/** Builds the search for one alert and window: the user's query filtered to the window, plus what its condition needs. */
export function buildSearch(alert: AlertDef, window: Window): SearchRequest {
  const { query, aggs, aggregations, size: userSize, sort: userSort, from: _from, track_total_hits: _t, ...rest } = alert.query;
  const range = { range: { [alert.timestamp_field]: { gte: window.from, lt: window.to, format: 'epoch_millis' } } };
  const sort = [{ [alert.timestamp_field]: { order: 'desc', unmapped_type: 'date' } }];
  // At least the newest document is fetched: its fields feed the templates even when no samples are shown.
  const documents = Math.max(1, alert.samples);
  // A script reads the hits themselves: it gets as many as its query asks for, in the query's order.
  const script = alert.condition.type === 'script';
  const size = script && typeof userSize === 'number' ? userSize : alert.group_by ? 0 : documents;
  const body: Record<string, unknown> = {
    ...rest,
    query: { bool: { filter: [query ?? { match_all: {} }, range] } },
    size,
  };
  // A group_by search reads only its aggregation (with its own sorted top_hits): no total, no sort.
  if (!alert.group_by) Object.assign(body, { track_total_hits: true, sort: script && userSort !== undefined ? userSort : sort });
  else if (size > 0) body.sort = script && userSort !== undefined ? userSort : sort;
  const userAggs = (aggs ?? aggregations) as Record<string, unknown> | undefined;
  if (alert.group_by) {
    body.aggs = {
      ...userAggs,
      [GROUP_AGG]: {
        terms: { field: alert.group_by, size: alert.group_size, min_doc_count: 1 },
        aggs: { [SAMPLES_AGG]: { top_hits: { size: documents, sort } } },
      },
    };
  } else if (userAggs) {
    body.aggs = userAggs;
  }
  return { index: alert.index, body };
}
