import { lastTimeframe } from './search.js';
import type { Finding } from '../model/finding.js';
import { parseDuration } from '../util/duration.js';
import { keyParts, keysLeftOut, perKeySearch } from './perKey.js';
import { perKeyObserved } from './observed.js';
import type { MetricAggregationCondition, MetricAggType, RuleType } from './types.js';

const METRIC = 'alertcron_metric';

/** `metric_aggregation`: per key, a metric (min, max, avg, sum, cardinality, value_count) of a field above max_threshold or below min_threshold. */
export const metricAggregationRule: RuleType<MetricAggregationCondition> = {
  type: 'metric_aggregation',
  complete: (raw) => ({
    type: 'metric_aggregation',
    metric_agg_key: String(raw.metric_agg_key),
    metric_agg_type: raw.metric_agg_type as MetricAggType,
    max_threshold: raw.max_threshold as number | undefined,
    min_threshold: raw.min_threshold as number | undefined,
    min_doc_count: (raw.min_doc_count as number | undefined) ?? 1,
    timeframe: typeof raw.timeframe === 'string' ? parseDuration(raw.timeframe) : undefined,
  }),
  check(raw, alert) {
    const { min_threshold: min, max_threshold: max } = raw;
    if (typeof max === 'number' && typeof min === 'number' && min > max) {
      return [{ path: ['condition', 'min_threshold'], message: `is above max_threshold (${max}): every key would fire; a key fires when below min or above max` }];
    }
    if (raw.min_doc_count !== undefined && !alert.group_by) return [{ path: ['condition', 'min_doc_count'], message: 'applies only with group_by: remove it, or add group_by' }];
    return [];
  },
  // min, max, avg and sum need numbers; cardinality and value_count count any values.
  fields: (condition) => [{ key: 'metric_agg_key', field: condition.metric_agg_key, numeric: !['cardinality', 'value_count'].includes(condition.metric_agg_type) }],
  span: (condition, window) => (condition.timeframe ? lastTimeframe(window, condition.timeframe) : window),
  search(base, alert, condition) {
    const metric = { [METRIC]: { [condition.metric_agg_type]: { field: condition.metric_agg_key } } };
    return perKeySearch(base, alert, metric, { options: { min_doc_count: condition.min_doc_count } });
  },
  evaluate({ alert, condition, window, response }) {
    const findings: Finding[] = [];
    for (const part of keyParts(alert, response)) {
      const value = part.aggs[METRIC]?.value as number | null | undefined;
      // min, max and avg of no values are null: nothing to compare.
      if (typeof value !== 'number') continue;
      const above = condition.max_threshold !== undefined && value > condition.max_threshold;
      const below = condition.min_threshold !== undefined && value < condition.min_threshold;
      if (!above && !below) continue;
      // ElastAlert2 names the value metric_<field>_<type>; templates may use either name.
      const named = `metric_${condition.metric_agg_key}_${condition.metric_agg_type}`;
      findings.push({ key: part.key, count: part.doc_count, counted: condition.timeframe ? lastTimeframe(window, condition.timeframe) : undefined, fields: { ...(part.samples[0] ?? {}), metric_value: value, [named]: value }, samples: part.samples });
    }
    return { findings, incomplete: keysLeftOut(alert, response), observed: perKeyObserved(alert, response, (part) => part.aggs[METRIC]?.value as number | null | undefined) };
  },
};
