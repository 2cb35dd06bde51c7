import type { AlertDef, Threshold } from '../config/types.js';
import { GROUP_AGG, SAMPLES_AGG } from '../run/buildSearch.js';
import type { SearchResponse } from '../sources/elasticsearch.js';
import { UNGROUPED_KEY, type Finding } from './finding.js';
import { sampleSources, totalHits } from './hits.js';
import { meetsThreshold } from './threshold.js';

interface GroupBucket {
  key: unknown;
  key_as_string?: string;
  doc_count: number;
  [SAMPLES_AGG]?: { hits?: { hits?: { _source?: Record<string, unknown> }[] } };
}

/** Count condition: the number of hits (per group_by key, if set) must meet the threshold. `any` is count >= 1. */
export function evaluateCount(alert: AlertDef, response: SearchResponse, threshold: Threshold): Finding[] {
  if (!alert.group_by) {
    const count = totalHits(response);
    if (!meetsThreshold(count, threshold)) return [];
    const samples = sampleSources(response.hits?.hits);
    return [{ key: UNGROUPED_KEY, count, fields: samples[0] ?? {}, samples }];
  }
  const buckets = ((response.aggregations?.[GROUP_AGG] as { buckets?: GroupBucket[] } | undefined)?.buckets ?? []);
  return buckets
    .filter((bucket) => meetsThreshold(bucket.doc_count, threshold))
    .map((bucket) => {
      const samples = sampleSources(bucket[SAMPLES_AGG]?.hits?.hits);
      return { key: bucket.key_as_string ?? String(bucket.key), count: bucket.doc_count, fields: samples[0] ?? {}, samples };
    });
}
