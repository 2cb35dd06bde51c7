import type { SearchResponse } from '../model/search.js';
import { merged } from '../util/merged.js';

/** A bucket of the aggregation that splits by group_by (terms, or multi_terms for a compound key). */
export interface GroupBucket {
  key: unknown;
  key_as_string?: string;
  doc_count: number;
  [aggregation: string]: unknown;
}

/** How the values of a compound key are joined into the key: `web01, alice`. */
export const KEY_SEPARATOR = ', ';

/**
 * The aggregation that makes one bucket per value of `fields`: terms on one field, multi_terms (ES 7.12+,
 * OpenSearch 2.1+) on several. `options` go into it (order, min_doc_count ...).
 */
export function groupAggregation(fields: readonly string[], size: number, options: Record<string, unknown> = {}): Record<string, unknown> {
  // merged, not spread: one hidden class for every alert's aggregation (util/merged.ts).
  if (fields.length === 1) return { terms: merged({ field: fields[0], size, min_doc_count: 1 }, options) };
  return { multi_terms: merged({ terms: fields.map((field) => ({ field })), size, min_doc_count: 1 }, options) };
}

/**
 * The key of a bucket: its value, or for a compound key its values joined by ", ", with a backslash before any
 * comma or backslash inside a value, so that two different compounds never make the same key (["a, b", "c"] is
 * `a\, b, c`, ["a", "b, c"] is `a, b\, c`): the key names a finding's throttle, ack, silence and rule state.
 */
export function bucketKey(bucket: { key: unknown; key_as_string?: string }): string {
  if (Array.isArray(bucket.key)) return bucket.key.map((part) => String(part).replace(/[\\,]/g, (c) => `\\${c}`)).join(KEY_SEPARATOR);
  return bucket.key_as_string ?? String(bucket.key);
}

/** The buckets of the named group aggregation in a response (or in a parent bucket). */
export function bucketsOf(aggregations: Record<string, unknown> | undefined, name: string): GroupBucket[] {
  return ((aggregations?.[name] as { buckets?: GroupBucket[] } | undefined)?.buckets ?? []);
}

/** The events a group aggregation left out (keys beyond its size). */
export function otherCount(response: SearchResponse, name: string): number {
  return (response.aggregations?.[name] as { sum_other_doc_count?: number } | undefined)?.sum_other_doc_count ?? 0;
}

/** group_by for messages: `host.name` or `[host.name, user.name]`. */
export function describeFields(fields: readonly string[]): string {
  return fields.length === 1 ? fields[0]! : `[${fields.join(', ')}]`;
}
