import type { SearchResponse } from '../model/search.js';
import { UNGROUPED_KEY, type Finding } from '../model/finding.js';
import { bucketKey, bucketsOf, describeFields, otherCount } from './groupKey.js';
import { bucketSamples, sampleSources, totalHits } from './hits.js';
import { countingSearch, GROUP_AGG } from './search.js';
import { meetsThreshold } from './threshold.js';
import { readTopCounts } from './topCounts.js';
import { eventsObserved } from './observed.js';
import type { ConditionDef, RuleAlert, RuleType, Threshold } from './types.js';


/** What a group_by search left out: the events under keys beyond group_size, or undefined when it saw every key. */
export function groupsLeftOut(alert: RuleAlert, response: SearchResponse): string | undefined {
  const other = otherCount(response, GROUP_AGG);
  if (!alert.group_by || other <= 0) return undefined;
  return `${other} matching event(s) fall under more than group_size (${alert.group_size}) values of ${describeFields(alert.group_by)}: those keys were not seen (raise group_size)`;
}

/** The findings of a hit count (per group_by key, if set) that meets the threshold. */
export function countFindings(alert: RuleAlert, response: SearchResponse, threshold: Threshold): Finding[] {
  if (!alert.group_by) {
    const count = totalHits(response);
    if (!meetsThreshold(count, threshold)) return [];
    const samples = sampleSources(response.hits?.hits);
    return [withTopCounts({ key: UNGROUPED_KEY, count, fields: samples[0] ?? {}, samples }, alert, response.aggregations)];
  }
  return bucketsOf(response.aggregations, GROUP_AGG)
    .filter((bucket) => meetsThreshold(bucket.doc_count, threshold))
    .map((bucket) => {
      const samples = bucketSamples(bucket);
      return withTopCounts({ key: bucketKey(bucket), count: bucket.doc_count, fields: samples[0] ?? {}, samples }, alert, bucket);
    });
}

/** The finding with the top values of the alert's top_count_keys read from its aggregations (unchanged when it names none). */
export function withTopCounts(finding: Finding, alert: RuleAlert, aggs: Record<string, unknown> | undefined): Finding {
  const top = readTopCounts(alert, aggs);
  return top ? { ...finding, top_counts: top } : finding;
}

type CountCondition = Extract<ConditionDef, { type: 'count' }>;

/** `count`: the number of hits (per group_by key, if set) meets every bound given of gt, gte, lt, lte. */
export const countRule: RuleType<CountCondition> = {
  type: 'count',
  topCounts: true,
  complete: (raw) => ({ type: 'count', gt: raw.gt as number | undefined, gte: raw.gte as number | undefined, lt: raw.lt as number | undefined, lte: raw.lte as number | undefined }),
  search: countingSearch,
  evaluate: ({ alert, condition, response }) => ({ findings: countFindings(alert, response, condition), incomplete: groupsLeftOut(alert, response), observed: eventsObserved(alert, response) }),
};
