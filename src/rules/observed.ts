import type { SearchResponse } from '../model/search.js';
import { bucketKey, bucketsOf, otherCount } from './groupKey.js';
import { keyParts, type KeyPart } from './perKey.js';
import { GROUP_AGG } from './search.js';
import { totalHits } from './hits.js';
import type { ConditionDef, RuleAlert } from './types.js';
import { formatDuration } from '../util/duration.js';

/**
 * The number a rule type compared at one run, below its threshold too: `total` for all keys together (the compared
 * value without group_by; with group_by, the events the search found), `keys` the compared value per key where it
 * groups. Filled on every evaluation: it reads numbers the rule type has just read anyway (no extra search).
 */
export interface Observed {
  total: number | null;
  keys?: { key: string; value: number }[];
}

/** Events found per key (group_by buckets' doc_count) and in all (with the events under keys beyond group_size): what hit-counting rule types compare. */
export function eventsObserved(alert: Pick<RuleAlert, 'group_by'>, response: SearchResponse): Observed {
  if (!alert.group_by) return { total: totalHits(response) };
  const keys = bucketsOf(response.aggregations, GROUP_AGG).map((bucket) => ({ key: bucketKey(bucket), value: bucket.doc_count }));
  return { total: keys.reduce((sum, k) => sum + k.value, 0) + otherCount(response, GROUP_AGG), keys };
}

/**
 * A per-key rule type's compared value: `valueOf` per key part (undefined or null: nothing compared for that key);
 * without group_by the one part's value is the total, with group_by the total is the events the search found.
 */
export function perKeyObserved(alert: RuleAlert, response: SearchResponse, valueOf: (part: KeyPart) => number | null | undefined): Observed {
  const parts = keyParts(alert, response);
  if (!alert.group_by) return { total: finite(valueOf(parts[0]!)) };
  const keys: { key: string; value: number }[] = [];
  for (const part of parts) {
    const value = finite(valueOf(part));
    if (value !== null) keys.push({ key: part.key, value });
  }
  return { total: parts.reduce((sum, p) => sum + p.doc_count, 0) + otherCount(response, GROUP_AGG), keys };
}

function finite(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** What a rule type's observed values are, for a chart's axis and tooltip. */
export function observedLabel(condition: ConditionDef, grouped: boolean): string {
  const per = grouped ? ' (lines per key; total: events found)' : '';
  switch (condition.type) {
    case 'count':
      return `events per window${per}`;
    case 'frequency':
      return `most events within ${formatDuration(condition.timeframe)}${per}`;
    case 'flatline':
      return `events within the last ${formatDuration(condition.timeframe)}${per}`;
    case 'metric_aggregation':
      return `${condition.metric_agg_type} of ${condition.metric_agg_key}${per}`;
    case 'percentage_match':
      return `% of events matching match_bucket_filter${per}`;
    case 'spike':
      return `${condition.field_value ? `average of ${condition.field_value}` : 'events'} in the current timeframe (compared with the reference x ${condition.spike_height})${per}`;
    case 'cardinality':
      return `distinct ${condition.cardinality_field}${per}`;
    case 'buckets':
      return `${condition.value} per bucket of ${condition.path} (total: hits)`;
    default:
      return `events found per window${grouped ? ' (per key: events of the key)' : ''}`;
  }
}

/** The lines a condition compares its observed value against (a range: two); none for rule types without a fixed number. */
export function observedThresholds(condition: ConditionDef): { value: number; label: string }[] {
  const lines: { value: number; label: string }[] = [];
  const add = (value: number | undefined, label: string) => {
    if (typeof value === 'number' && Number.isFinite(value)) lines.push({ value, label: `${label} ${value}` });
  };
  switch (condition.type) {
    case 'count':
    case 'buckets':
      add(condition.gt, 'gt');
      add(condition.gte, 'gte');
      add(condition.lt, 'lt');
      add(condition.lte, 'lte');
      break;
    case 'frequency':
      add(condition.num_events, 'num_events');
      break;
    case 'flatline':
      add(condition.threshold, 'threshold');
      break;
    case 'metric_aggregation':
      add(condition.max_threshold, 'max_threshold');
      add(condition.min_threshold, 'min_threshold');
      break;
    case 'percentage_match':
      add(condition.max_percentage, 'max_percentage');
      add(condition.min_percentage, 'min_percentage');
      break;
    case 'cardinality':
      add(condition.max_cardinality, 'max_cardinality');
      add(condition.min_cardinality, 'min_cardinality');
      break;
    case 'spike':
      if (condition.threshold_cur > 0) add(condition.threshold_cur, 'threshold_cur');
      break;
  }
  return lines;
}
