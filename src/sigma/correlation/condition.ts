import { SigmaRefused } from '../refused.js';
import type { SigmaCorrelationCondition } from '../types.js';

const PATH = ['correlation', 'condition'];

/** The bounds a condition gives (gt, gte, lt, lte, eq, neq), as written. */
function bounds(condition: SigmaCorrelationCondition): string {
  return (['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as const).filter((k) => condition[k] !== undefined).map((k) => `${k}: ${condition[k]}`).join(', ');
}

/** The least whole count that meets the lower bound (gte N, gt N), or undefined without one. */
function atLeast(c: SigmaCorrelationCondition): number | undefined {
  const lows = [c.gte === undefined ? undefined : Math.ceil(c.gte), c.gt === undefined ? undefined : Math.floor(c.gt) + 1].filter((n): n is number => n !== undefined);
  return lows.length ? Math.max(...lows) : undefined;
}

/** The least whole count that no longer meets the upper bound (lt N, lte N), or undefined without one. */
function below(c: SigmaCorrelationCondition): number | undefined {
  const highs = [c.lt === undefined ? undefined : Math.ceil(c.lt), c.lte === undefined ? undefined : Math.floor(c.lte) + 1].filter((n): n is number => n !== undefined);
  return highs.length ? Math.min(...highs) : undefined;
}

/**
 * The alert condition for an event_count or value_count correlation: event_count with a lower bound is frequency
 * (sliding windows), with an upper bound flatline; value_count is cardinality (above a maximum, below a minimum,
 * or both for neq). Throws SigmaRefused for the comparisons no rule type means exactly (ranges, eq, event_count neq).
 */
export function correlationCondition(type: 'event_count' | 'value_count', c: SigmaCorrelationCondition, timeframe: string, counted?: string): Record<string, unknown> {
  const written = bounds(c);
  if (!written) throw new SigmaRefused(`a ${type} correlation needs a condition: one of gt, gte, lt, lte (e.g. gte: 10)`, PATH);
  const low = atLeast(c);
  const high = below(c);
  if (type === 'value_count' && c.neq !== undefined && written === `neq: ${c.neq}`) {
    // Distinct values other than N: above N or below N, which is what cardinality's two bounds fire on.
    return { type: 'cardinality', cardinality_field: counted, timeframe, max_cardinality: c.neq, min_cardinality: c.neq };
  }
  if (c.eq !== undefined || c.neq !== undefined || (low !== undefined && high !== undefined)) {
    const what = type === 'event_count' ? 'frequency fires at a minimum count and flatline below a maximum' : 'cardinality fires above a maximum or below a minimum';
    throw new SigmaRefused(`condition ${written} is not supported for ${type}: ${what}, never inside a range or at one exact count; use one bound (gt, gte, lt or lte)`, PATH);
  }
  if (type === 'event_count') {
    // At least N events in any timespan-wide window; fewer than N in the timespan before each run (flatline).
    return low !== undefined ? { type: 'frequency', num_events: Math.max(1, low), timeframe } : { type: 'flatline', threshold: high, timeframe };
  }
  // cardinality fires when distinct > max_cardinality, or distinct < min_cardinality.
  return low !== undefined
    ? { type: 'cardinality', cardinality_field: counted, timeframe, max_cardinality: low - 1 }
    : { type: 'cardinality', cardinality_field: counted, timeframe, min_cardinality: high };
}
