import { SAMPLES_AGG } from './search.js';
import type { SearchResponse } from '../model/search.js';

/** The total number of hits, whether the cluster reports it as a number (ES 6) or as {value} (ES 7+, OpenSearch). */
export function totalHits(response: SearchResponse): number {
  const total = response.hits?.total;
  if (typeof total === 'number') return total;
  return total?.value ?? response.hits?.hits?.length ?? 0;
}

/** The `_source` of the returned hits, newest first. */
export function sampleSources(hits: { _source?: Record<string, unknown> }[] | undefined): Record<string, unknown>[] {
  return (hits ?? []).map((hit) => hit._source ?? {});
}

/** The sample documents a bucket's top-hits sub-aggregation brought, newest first. */
export function bucketSamples(bucket: Record<string, unknown>): Record<string, unknown>[] {
  const top = bucket[SAMPLES_AGG] as { hits?: { hits?: { _source?: Record<string, unknown> }[] } } | undefined;
  return sampleSources(top?.hits?.hits);
}
