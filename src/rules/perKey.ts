import type { SearchResponse } from '../model/search.js';
import { UNGROUPED_KEY } from '../model/finding.js';
import { bucketKey, bucketsOf, describeFields, groupAggregation, otherCount } from './groupKey.js';
import { bucketSamples, sampleSources, totalHits } from './hits.js';
import { GROUP_AGG, newestFirst, SAMPLES_AGG } from './search.js';
import type { RuleAlert } from './types.js';
import { MAX_EPOCH_MS } from '../util/epochTime.js';
import { merged } from '../util/merged.js';

/** One key's part of a per-key search: its events, the sub-aggregations the rule type asked for, and sample documents. */
export interface KeyPart {
  key: string;
  doc_count: number;
  /** The sub-aggregations by name (for an ungrouped alert: the response's aggregations). */
  aggs: Record<string, any>;
  samples: Record<string, unknown>[];
}

/** How the per-key group aggregation is shaped (besides its field(s) and size). */
export interface GroupShape {
  /** Terms options such as order or min_doc_count. */
  options?: Record<string, unknown>;
  /** Sample documents per key (default: the alert's samples, at least one). */
  samples?: number;
}

/**
 * Keys in order of their value: exact across shards and daily indices, so every sub-aggregation of a key returned
 * counts all its events (ordered by count, a key can come back from some shards only, its other counts missing).
 */
export const BY_KEY: GroupShape = { options: { order: { _key: 'asc' } } };

/**
 * A search body that computes `aggs` per group_by key (terms, or multi_terms for several fields; in order of value
 * unless `shape` says otherwise, see BY_KEY), with the newest
 * documents of each key; without group_by, `aggs` over all events with the total and the newest documents.
 */
export function perKeySearch(base: Record<string, unknown>, alert: RuleAlert, aggs: Record<string, unknown>, shape: GroupShape = {}): Record<string, unknown> {
  const documents = shape.samples ?? Math.max(1, alert.samples);
  if (!alert.group_by) {
    return merged(base, { size: documents, track_total_hits: true, sort: newestFirst(alert) }, Object.keys(aggs).length > 0 && { aggs });
  }
  const samples = documents > 0 ? { [SAMPLES_AGG]: { top_hits: { size: documents, sort: newestFirst(alert) } } } : {};
  return merged(base, {
    size: 0,
    aggs: { [GROUP_AGG]: merged(groupAggregation(alert.group_by, alert.group_size, merged(BY_KEY.options, shape.options)), { aggs: merged(aggs, samples) }) },
  });
}

/** The keys of a per-key search's response; without group_by, one key (_all) for all events, even when there were none. */
export function keyParts(alert: RuleAlert, response: SearchResponse): KeyPart[] {
  if (!alert.group_by) {
    return [{ key: UNGROUPED_KEY, doc_count: totalHits(response), aggs: response.aggregations ?? {}, samples: sampleSources(response.hits?.hits) }];
  }
  return bucketsOf(response.aggregations, GROUP_AGG).map((bucket) => ({ key: bucketKey(bucket), doc_count: bucket.doc_count, aggs: bucket as Record<string, any>, samples: bucketSamples(bucket) }));
}

/** What a per-key search left out (events under keys beyond group_size), or undefined when it saw every key. */
export function keysLeftOut(alert: RuleAlert, response: SearchResponse, what = 'matching event(s)'): string | undefined {
  const other = otherCount(response, GROUP_AGG);
  if (!alert.group_by || other <= 0) return undefined;
  return `${other} ${what} fall under more than group_size (${alert.group_size}) values of ${describeFields(alert.group_by)}: those keys were not checked (raise group_size)`;
}

/** A time as an ISO string, for finding fields; undefined when it is not one a Date can hold (an aggregation over a date far beyond year 275760). */
export function isoTime(ms: number | null | undefined): string | undefined {
  return typeof ms === 'number' && Math.abs(ms) <= MAX_EPOCH_MS ? new Date(ms).toISOString() : undefined;
}
