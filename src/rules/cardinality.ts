import { lastTimeframe } from './search.js';
import type { Finding } from '../model/finding.js';
import { parseDuration } from '../util/duration.js';
import { keyParts, keysLeftOut, perKeySearch, type KeyPart } from './perKey.js';
import { perKeyObserved } from './observed.js';
import type { CardinalityCondition, RuleType } from './types.js';

const DISTINCT = 'alertcron_distinct';
/** The cluster's cardinality is exact up to its precision_threshold, which costs 8 bytes per value: at most 40,000. */
const MAX_PRECISION = 40_000;

/** `cardinality`: per key, the distinct values of cardinality_field within timeframe above max_cardinality or below min_cardinality. */
export const cardinalityRule: RuleType<CardinalityCondition> = {
  type: 'cardinality',
  complete: (raw) => ({
    type: 'cardinality',
    cardinality_field: String(raw.cardinality_field),
    timeframe: parseDuration(String(raw.timeframe)),
    max_cardinality: raw.max_cardinality as number | undefined,
    min_cardinality: raw.min_cardinality as number | undefined,
  }),
  check(raw) {
    const { max_cardinality: max, min_cardinality: min } = raw;
    if (typeof max === 'number' && typeof min === 'number' && min > max) {
      return [{ path: ['condition', 'min_cardinality'], message: `is above max_cardinality (${max}): every key would fire; a key fires when below min or above max` }];
    }
    return [];
  },
  fields: (condition) => [{ key: 'cardinality_field', field: condition.cardinality_field }],
  span: (condition, window) => lastTimeframe(window, condition.timeframe),
  search(base, alert, condition) {
    const bound = Math.max(condition.max_cardinality ?? 0, condition.min_cardinality ?? 0);
    const precision = Math.min(MAX_PRECISION, Math.max(100, 2 * bound + 100));
    return perKeySearch(base, alert, { [DISTINCT]: { cardinality: { field: condition.cardinality_field, precision_threshold: precision } } });
  },
  evaluate({ alert, condition, window, response }) {
    const findings: Finding[] = [];
    for (const part of keyParts(alert, response)) {
      // A key without events in the timeframe is not checked (flatline is the type for silence), as in ElastAlert2.
      if (part.doc_count === 0) continue;
      const distinct = Number(part.aggs[DISTINCT]?.value ?? 0);
      const above = condition.max_cardinality !== undefined && distinct > condition.max_cardinality;
      const below = condition.min_cardinality !== undefined && distinct < condition.min_cardinality;
      if (!above && !below) continue;
      findings.push({ key: part.key, count: part.doc_count, counted: lastTimeframe(window, condition.timeframe), fields: { ...(part.samples[0] ?? {}), cardinality: distinct }, samples: part.samples });
    }
    const distinct = (part: KeyPart) => (part.doc_count === 0 ? undefined : Number(part.aggs[DISTINCT]?.value ?? 0));
    return { findings, incomplete: keysLeftOut(alert, response), observed: perKeyObserved(alert, response, distinct) };
  },
};
