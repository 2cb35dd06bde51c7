import type { SearchResponse } from '../model/search.js';
import { getField } from '../util/fieldPath.js';
import { merged } from '../util/merged.js';
import type { Finding } from '../model/finding.js';
import { sampleSources, totalHits } from './hits.js';
import type { Observed } from './observed.js';
import { countingSearch, userAggregations } from './search.js';
import { meetsThreshold } from './threshold.js';
import type { ConditionDef, RuleType } from './types.js';

type BucketsCondition = Extract<ConditionDef, { type: 'buckets' }>;

/** Buckets condition: each bucket at the aggregation path whose value (doc_count or a metric) meets the threshold is a finding. */
export function evaluateBuckets(condition: BucketsCondition, response: SearchResponse): Finding[] {
  return judgeBuckets(condition, response).findings;
}

/** The buckets' findings, with each bucket's compared value (met or not). */
function judgeBuckets(condition: BucketsCondition, response: SearchResponse): { findings: Finding[]; observed: Observed } {
  const path = condition.path.endsWith('.buckets') ? condition.path : `${condition.path}.buckets`;
  const found = getField(response.aggregations ?? {}, path);
  // A pattern that matches no index answers with no aggregations at all: no bucket, and the run reports the index problem.
  if (found === undefined && response._shards?.total === 0) return { findings: [], observed: { total: totalHits(response), keys: [] } };
  if (found === undefined) {
    throw new Error(`condition path "${condition.path}" is not in the response's aggregations (names: ${Object.keys(response.aggregations ?? {}).join(', ') || 'none'})`);
  }
  const buckets: Record<string, unknown>[] = Array.isArray(found)
    ? found
    : Object.entries(found as Record<string, Record<string, unknown>>).map(([key, bucket]) => ({ key, ...bucket }));
  const samples = sampleSources(response.hits?.hits);
  const findings: Finding[] = [];
  const keys: { key: string; value: number }[] = [];
  for (const bucket of buckets) {
    const value = Number(getField(bucket, condition.value));
    const key = String(bucket.key_as_string ?? bucket.key);
    if (Number.isFinite(value)) keys.push({ key, value });
    if (!Number.isFinite(value) || !meetsThreshold(value, condition)) continue;
    const count = Number(bucket.doc_count ?? 0);
    findings.push({ key, count, fields: merged(flattenBucket(bucket), { value }), samples });
  }
  return { findings, observed: { total: totalHits(response), keys } };
}

function flattenBucket(bucket: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(bucket)) {
    const metric = value && typeof value === 'object' && 'value' in value ? (value as { value: unknown }).value : value;
    fields[name] = metric;
  }
  return fields;
}

/** `buckets`: each bucket of an aggregation in the query whose value meets the bounds is a finding keyed by the bucket key. */
export const bucketsRule: RuleType<BucketsCondition> = {
  type: 'buckets',
  complete: (raw) => ({
    type: 'buckets',
    path: String(raw.path),
    value: (raw.value as string | undefined) ?? 'doc_count',
    gt: raw.gt as number | undefined,
    gte: raw.gte as number | undefined,
    lt: raw.lt as number | undefined,
    lte: raw.lte as number | undefined,
  }),
  check(_raw, alert) {
    const problems = [];
    if (alert.group_by) problems.push({ path: ['group_by'], message: 'group_by does not apply to a buckets condition: group in the query aggregation instead' });
    if (!userAggregations(alert.query)) problems.push({ path: ['condition', 'path'], message: 'a buckets condition needs an aggregation ("aggs") in the query' });
    return problems;
  },
  search: countingSearch,
  evaluate: ({ condition, response }) => judgeBuckets(condition, response),
};
