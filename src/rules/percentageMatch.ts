import { lastTimeframe } from './search.js';
import type { Finding } from '../model/finding.js';
import { parseDuration } from '../util/duration.js';
import { keyParts, keysLeftOut, perKeySearch } from './perKey.js';
import { perKeyObserved } from './observed.js';
import type { PercentageMatchCondition, RuleType } from './types.js';

const SHARE = 'alertcron_share';

/** The matching share of a key's events (in %), or undefined when there are too few events to judge. Pure. */
export function matchPercentage(matching: number, other: number, minDenominator: number): number | undefined {
  const total = matching + other;
  if (total === 0 || total < minDenominator) return undefined;
  return (matching / total) * 100;
}

/** `percentage_match`: per key, the share of events matching match_bucket_filter above max_percentage or below min_percentage. */
export const percentageMatchRule: RuleType<PercentageMatchCondition> = {
  type: 'percentage_match',
  complete: (raw) => {
    const filter = raw.match_bucket_filter;
    return {
      type: 'percentage_match',
      // ElastAlert2's form is a list of filters that must all hold.
      match_bucket_filter: Array.isArray(filter) ? { bool: { filter } } : (filter as Record<string, unknown>),
      min_percentage: raw.min_percentage as number | undefined,
      max_percentage: raw.max_percentage as number | undefined,
      min_denominator: (raw.min_denominator as number | undefined) ?? 0,
      timeframe: typeof raw.timeframe === 'string' ? parseDuration(raw.timeframe) : undefined,
    };
  },
  check(raw) {
    const { min_percentage: min, max_percentage: max } = raw;
    if (typeof max === 'number' && typeof min === 'number' && min > max) {
      return [{ path: ['condition', 'min_percentage'], message: `is above max_percentage (${max}): every key would fire; a key fires when below min or above max` }];
    }
    return [];
  },
  span: (condition, window) => (condition.timeframe ? lastTimeframe(window, condition.timeframe) : window),
  search(base, alert, condition) {
    return perKeySearch(base, alert, { [SHARE]: { filters: { filters: { match: condition.match_bucket_filter }, other_bucket_key: 'other' } } });
  },
  evaluate({ alert, condition, window, response }) {
    const findings: Finding[] = [];
    const percentages = new Map<string, number>();
    for (const part of keyParts(alert, response)) {
      const buckets = (part.aggs[SHARE]?.buckets ?? {}) as Record<string, { doc_count: number }>;
      const matching = buckets.match?.doc_count ?? 0;
      const other = buckets.other?.doc_count ?? 0;
      const percentage = matchPercentage(matching, other, condition.min_denominator);
      if (percentage === undefined) continue;
      percentages.set(part.key, percentage);
      const above = condition.max_percentage !== undefined && percentage > condition.max_percentage;
      const below = condition.min_percentage !== undefined && percentage < condition.min_percentage;
      if (!above && !below) continue;
      const rounded = Math.round(percentage * 100) / 100;
      findings.push({ key: part.key, count: matching + other, counted: condition.timeframe ? lastTimeframe(window, condition.timeframe) : undefined, fields: { ...(part.samples[0] ?? {}), percentage: rounded, match_count: matching, total: matching + other }, samples: part.samples });
    }
    return { findings, incomplete: keysLeftOut(alert, response), observed: perKeyObserved(alert, response, (part) => percentages.get(part.key)) };
  },
};
