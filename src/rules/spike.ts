import type { Finding } from '../model/finding.js';
import { parseDuration } from '../util/duration.js';
import { capKeys, joinWarnings } from './keyMemory.js';
import { BY_KEY, isoTime, keyParts, keysLeftOut, perKeySearch } from './perKey.js';
import { lastTimeframe, timeRange } from './search.js';
import { perKeyObserved } from './observed.js';
import type { RuleType, SpikeCondition } from './types.js';
import { plainCopy } from '../util/plainMap.js';
import { isStoredTime } from '../util/epochTime.js';

const CURRENT = 'alertcron_current';
const REFERENCE = 'alertcron_reference';
const FIRST_SEEN = 'alertcron_first_seen';
const AVERAGE = 'alertcron_average';
/** How long a key that no longer appears is remembered as known (at least three timeframes). */
const KEY_MEMORY = 7 * 86_400_000;

/** What spike remembers per key: when it was first and last seen, [first, last] in epoch ms. */
export interface SpikeState {
  keys: Record<string, [number, number]>;
}

/** The direction a current value moved against its reference, or undefined when it is no spike. Pure. */
export function spikeDirection(condition: SpikeCondition, current: number | null, reference: number | null): 'up' | 'down' | undefined {
  if (current === null || reference === null) return undefined;
  // Averages of nothing or of zeros are no spike (as in ElastAlert2); nor is no event on either side.
  if (condition.field_value !== undefined && (current === 0 || reference === 0)) return undefined;
  if (current === 0 && reference === 0) return undefined;
  if (current < condition.threshold_cur || reference < condition.threshold_ref) return undefined;
  const up = current >= reference * condition.spike_height;
  const down = current <= reference / condition.spike_height;
  if (up && condition.spike_type !== 'down') return 'up';
  if (down && condition.spike_type !== 'up') return 'down';
  return undefined;
}

/**
 * `spike`: per key, the last timeframe (current) against the one before (reference), by event count or by the
 * average of field_value. A key first seen less than two timeframes ago is warming up and does not spike (unless
 * alert_on_new_data); when it was first seen is remembered, and the search reaches three timeframes back, so a
 * restart or a new alert does not make every key look new.
 */
export const spikeRule: RuleType<SpikeCondition> = {
  type: 'spike',
  complete: (raw) => ({
    type: 'spike',
    timeframe: parseDuration(String(raw.timeframe)),
    spike_height: Number(raw.spike_height),
    spike_type: (raw.spike_type as SpikeCondition['spike_type'] | undefined) ?? 'both',
    threshold_cur: (raw.threshold_cur as number | undefined) ?? 0,
    threshold_ref: (raw.threshold_ref as number | undefined) ?? 0,
    field_value: raw.field_value as string | undefined,
    alert_on_new_data: raw.alert_on_new_data === true,
  }),
  check(raw) {
    if (typeof raw.spike_height === 'number' && raw.spike_height <= 1) {
      return [{ path: ['condition', 'spike_height'], message: 'is a ratio greater than 1 (3: three times the reference, either way): for drops use spike_type: down' }];
    }
    return [];
  },
  fields: (condition) => (condition.field_value ? [{ key: 'field_value', field: condition.field_value, numeric: true }] : []),
  span: (condition, window) => ({ from: window.to - 3 * condition.timeframe, to: window.to }),
  search(base, alert, condition, window) {
    const T = condition.timeframe;
    const average = condition.field_value ? { aggs: { [AVERAGE]: { avg: { field: condition.field_value } } } } : {};
    return perKeySearch(base, alert, {
      [REFERENCE]: { filter: timeRange(alert, { from: window.to - 2 * T, to: window.to - T }), ...average },
      [CURRENT]: { filter: timeRange(alert, lastTimeframe(window, T)), ...average },
      [FIRST_SEEN]: { min: { field: alert.timestamp_field } },
    }, BY_KEY);
  },
  evaluate({ alert, condition, window, response, state }) {
    const T = condition.timeframe;
    const known = plainCopy<[number, number]>((state as SpikeState | undefined)?.keys, (v) => Array.isArray(v) && isStoredTime(v[0]) && isStoredTime(v[1]));
    const findings: Finding[] = [];
    const currents = new Map<string, number | null>();
    for (const part of keyParts(alert, response)) {
      const firstInSpan = part.aggs[FIRST_SEEN]?.value as number | null | undefined;
      if (typeof firstInSpan !== 'number') continue;
      const first = Math.min(known[part.key]?.[0] ?? Infinity, firstInSpan);
      known[part.key] = [first, window.to];
      const warm = first <= window.to - 2 * T || condition.alert_on_new_data;
      if (!warm) continue;
      const value = (name: string): number | null => {
        const bucket = part.aggs[name] as { doc_count: number; [AVERAGE]?: { value: number | null } } | undefined;
        if (!condition.field_value) return bucket?.doc_count ?? 0;
        return bucket?.[AVERAGE]?.value ?? null;
      };
      const current = value(CURRENT);
      const reference = value(REFERENCE);
      // Only a value compared with a reference is observed (an average over a reference without events compares nothing).
      if (reference !== null) currents.set(part.key, current);
      const direction = spikeDirection(condition, current, reference);
      if (!direction) continue;
      const count = Number(part.aggs[CURRENT]?.doc_count ?? 0);
      findings.push({
        key: part.key,
        count,
        counted: lastTimeframe(window, T),
        fields: { ...(part.samples[0] ?? {}), spike_direction: direction, spike_current: current, spike_reference: reference, spike_height: condition.spike_height, first_seen: isoTime(first) },
        samples: part.samples,
      });
    }
    for (const [key, [, last]] of Object.entries(known)) if (last < window.to - Math.max(KEY_MEMORY, 3 * T)) delete known[key];
    const forgotten = capKeys(known, ([, last]) => last, 'they warm up again (2 x timeframe) when they return');
    const observed = perKeyObserved(alert, response, (part) => currents.get(part.key));
    return { findings, state: { keys: known } satisfies SpikeState, incomplete: joinWarnings(keysLeftOut(alert, response), forgotten), observed };
  },
};
