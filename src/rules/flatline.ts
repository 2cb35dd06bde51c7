import type { Finding } from '../model/finding.js';
import { parseDuration } from '../util/duration.js';
import { isoTime, keyParts, perKeySearch } from './perKey.js';
import { perKeyObserved } from './observed.js';
import { GROUP_AGG, lastTimeframe, timeRange } from './search.js';
import { otherCount, describeFields } from './groupKey.js';
import type { FlatlineCondition, RuleType } from './types.js';

/** Sub-aggregation: the key's events within the last timeframe. */
const RECENT = 'alertcron_recent';
/** Sub-aggregation: the key's newest event time. */
const LAST_SEEN = 'alertcron_last_seen';
/** Sub-aggregation: the key's oldest event time within the search (a key first seen inside the timeframe is not checked yet). */
const FIRST_SEEN = 'alertcron_first_seen';
/** How far back a key counts as known when the alert does not say. */
export const DEFAULT_KEY_HISTORY = 7 * 86_400_000;

/**
 * `flatline`: fewer than threshold events within the timeframe ending at the window's end. With group_by, every
 * key seen within key_history before is checked once a full timeframe has passed since its first event there (as
 * in ElastAlert2), so a key that went silent is found from the index itself: nothing to remember, nothing lost on a
 * restart. Keys come in order of their value, which is exact across shards and daily indices (an order by the
 * recent count is not: a busy key could come out as silent).
 */
export const flatlineRule: RuleType<FlatlineCondition> = {
  type: 'flatline',
  complete: (raw) => ({
    type: 'flatline',
    threshold: Number(raw.threshold),
    timeframe: parseDuration(String(raw.timeframe)),
    key_history: typeof raw.key_history === 'string' ? parseDuration(raw.key_history) : DEFAULT_KEY_HISTORY,
  }),
  check(raw, alert) {
    if (raw.key_history !== undefined && !alert.group_by) return [{ path: ['condition', 'key_history'], message: 'applies only with group_by (the keys to watch): remove it, or add group_by' }];
    return [];
  },
  // With group_by, the keys' history too: the keys seen within key_history before the timeframe.
  span: (condition, window, alert) => ({ from: window.to - condition.timeframe - (alert.group_by ? condition.key_history : 0), to: window.to }),
  search(base, alert, condition, window) {
    if (!alert.group_by) return perKeySearch(base, alert, {}, { samples: 1 });
    const recent = { filter: timeRange(alert, lastTimeframe(window, condition.timeframe)) };
    const seen = { [LAST_SEEN]: { max: { field: alert.timestamp_field } }, [FIRST_SEEN]: { min: { field: alert.timestamp_field } } };
    return perKeySearch(base, alert, { [RECENT]: recent, ...seen }, { options: { order: { _key: 'asc' } }, samples: 1 });
  },
  evaluate({ alert, condition, window, response }) {
    const findings: Finding[] = [];
    const parts = keyParts(alert, response);
    // The value of each key that was compared with the threshold (a key not checked yet has none on a chart).
    const compared = new Map<string, number>();
    for (const part of parts) {
      // A key first seen within the last timeframe has not had a full timeframe to speak yet.
      const first = part.aggs[FIRST_SEEN]?.value;
      if (alert.group_by && (typeof first !== 'number' || first >= window.to - condition.timeframe)) continue;
      const count = alert.group_by ? Number(part.aggs[RECENT]?.doc_count ?? 0) : part.doc_count;
      compared.set(part.key, count);
      if (count >= condition.threshold) continue;
      const lastSeen = alert.group_by ? isoTime(part.aggs[LAST_SEEN]?.value) : undefined;
      findings.push({ key: part.key, count, counted: lastTimeframe(window, condition.timeframe), fields: { ...(part.samples[0] ?? {}), threshold: condition.threshold, ...(lastSeen ? { last_seen: lastSeen } : {}) }, samples: [] });
    }
    // Keys come in order of their value: those beyond group_size were not checked at all.
    const other = otherCount(response, GROUP_AGG);
    const incomplete = alert.group_by && other > 0
      ? `more than group_size (${alert.group_size}) values of ${describeFields(alert.group_by)} were seen within key_history: those after the first ${alert.group_size} (in order of value) were not checked (raise group_size)`
      : undefined;
    return { findings, incomplete, observed: perKeyObserved(alert, response, (part) => compared.get(part.key)) };
  },
};
