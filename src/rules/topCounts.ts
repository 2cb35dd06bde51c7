import type { TopCount } from '../model/topCounts.js';
import { bucketKey } from './groupKey.js';
import type { RuleAlert } from './types.js';

/** The prefix of the terms aggregations that count top_count_keys' values (one per field, by its position). */
const TOP_AGG = 'alertcron_top_';

/** The terms aggregations that count the top values of each of the alert's top_count_keys (none when it names none). */
export function topCountAggs(alert: RuleAlert): Record<string, unknown> {
  const top = alert.top_counts;
  if (!top) return {};
  return Object.fromEntries(top.keys.map((field, i) => [`${TOP_AGG}${i}`, { terms: { field, size: top.number } }]));
}

/** The top values read back from a response's (or a group bucket's) aggregations; undefined when the alert names no top_count_keys. */
export function readTopCounts(alert: RuleAlert, aggs: Record<string, unknown> | undefined): TopCount[] | undefined {
  const top = alert.top_counts;
  if (!top) return undefined;
  return top.keys.map((field, i) => {
    const buckets = ((aggs?.[`${TOP_AGG}${i}`] as { buckets?: { key: unknown; key_as_string?: string; doc_count: number }[] } | undefined)?.buckets ?? []);
    return { field, values: buckets.map((b) => ({ value: bucketKey(b), count: b.doc_count })) };
  });
}
