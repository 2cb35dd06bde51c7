import type { SearchResponse } from '../model/search.js';
import { UNGROUPED_KEY, type Finding } from '../model/finding.js';
import { sampleSources, totalHits } from './hits.js';
import { countingSearch, GROUP_AGG, SAMPLES_AGG } from './search.js';
import { meetsThreshold } from './threshold.js';
import type { ConditionDef, RuleAlert, RuleType, Threshold } from './types.js';

interface GroupBucket {
  key: unknown;
  key_as_string?: string;
  doc_count: number;
  [SAMPLES_AGG]?: { hits?: { hits?: { _source?: Record<string, unknown> }[] } };
}

/** What a group_by search left out: the events under keys beyond group_size, or undefined when it saw every key. */
export function groupsLeftOut(alert: RuleAlert, response: SearchResponse): string | undefined {
  const other = (response.aggregations?.[GROUP_AGG] as { sum_other_doc_count?: number } | undefined)?.sum_other_doc_count ?? 0;
  if (!alert.group_by || other <= 0) return undefined;
  return `${other} matching event(s) fall under more than group_size (${alert.group_size}) values of ${alert.group_by}: those keys were not seen (raise group_size)`;
}

/** The findings of a hit count (per group_by key, if set) that meets the threshold. */
export function countFindings(alert: RuleAlert, response: SearchResponse, threshold: Threshold): Finding[] {
  if (!alert.group_by) {
    const count = totalHits(response);
    if (!meetsThreshold(count, threshold)) return [];
    const samples = sampleSources(response.hits?.hits);
    return [{ key: UNGROUPED_KEY, count, fields: samples[0] ?? {}, samples }];
  }
  const buckets = (response.aggregations?.[GROUP_AGG] as { buckets?: GroupBucket[] } | undefined)?.buckets ?? [];
  return buckets
    .filter((bucket) => meetsThreshold(bucket.doc_count, threshold))
    .map((bucket) => {
      const samples = sampleSources(bucket[SAMPLES_AGG]?.hits?.hits);
      return { key: bucket.key_as_string ?? String(bucket.key), count: bucket.doc_count, fields: samples[0] ?? {}, samples };
    });
}

type CountCondition = Extract<ConditionDef, { type: 'count' }>;

/** `count`: the number of hits (per group_by key, if set) meets every bound given of gt, gte, lt, lte. */
export const countRule: RuleType<CountCondition> = {
  type: 'count',
  complete: (raw) => ({ type: 'count', gt: raw.gt as number | undefined, gte: raw.gte as number | undefined, lt: raw.lt as number | undefined, lte: raw.lte as number | undefined }),
  search: countingSearch,
  evaluate: ({ alert, condition, response }) => ({ findings: countFindings(alert, response, condition), incomplete: groupsLeftOut(alert, response) }),
};
