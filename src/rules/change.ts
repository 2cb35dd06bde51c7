import type { Finding } from '../model/finding.js';
import type { Window } from '../model/window.js';
import { parseDuration } from '../util/duration.js';
import { bucketKey, bucketsOf, groupAggregation } from './groupKey.js';
import { capKeys, joinWarnings } from './keyMemory.js';
import { BY_KEY, isoTime, keyParts, keysLeftOut, perKeySearch } from './perKey.js';
import type { ChangeCondition, RuleType } from './types.js';
import { plainCopy } from '../util/plainMap.js';
import { isStoredTime } from '../util/epochTime.js';

const VALUES = 'alertcron_values';
const FIRST = 'alertcron_first';
const LAST = 'alertcron_last';
/** How long a key's last value is remembered when the alert does not say. */
export const DEFAULT_CHANGE_MEMORY = 30 * 86_400_000;

/** What change remembers per key: its last value and when it was last seen, [value, epoch ms]. */
export interface ChangeState {
  keys: Record<string, [string, number]>;
}

/** One value of compare_key within the span: when it was first and last seen. */
export interface SeenValue {
  value: string;
  first: number;
  last: number;
}

/** A change a key went through, or undefined. */
export interface Change {
  old: { value: string; at: number };
  new: SeenValue;
}

/**
 * The change of one key, from its two most recent values within the span (newest first) and its remembered last
 * value. It fires when the newest value differs from the one before it and that change is news in this window:
 * it happened inside the window, or the remembered value is not the newest (it changed since the last run). With a
 * timeframe, the old value must have been seen within timeframe before the change. Pure.
 */
export function findChange(values: readonly SeenValue[], remembered: [string, number] | undefined, window: Window, timeframe: number | undefined): Change | undefined {
  const newest = values[0];
  if (!newest || newest.last < window.from) return undefined;
  const candidates: { value: string; at: number }[] = [];
  const other = values[1];
  if (other) candidates.push({ value: other.value, at: other.last });
  const changedSinceLastRun = !!remembered && remembered[0] !== newest.value;
  if (changedSinceLastRun) candidates.push({ value: remembered[0], at: remembered[1] });
  const old = candidates.sort((a, b) => b.at - a.at)[0];
  if (!old) return undefined;
  // When the new value appeared after the old one was last seen, its first time; when they alternate, the old one's last.
  const changedAt = newest.first > old.at ? newest.first : old.at;
  if (changedAt < window.from && !changedSinceLastRun) return undefined;
  if (timeframe !== undefined && changedAt - old.at > timeframe) return undefined;
  return { old, new: newest };
}

/**
 * `change`: per key, the value of compare_key (one field, or several together) changed. Each run reads the two
 * most recent values of each key in its window (and within timeframe before it) and compares them with the key's
 * last value, which is remembered for key_history: a restart forgets nothing.
 */
export const changeRule: RuleType<ChangeCondition> = {
  type: 'change',
  complete: (raw) => {
    const timeframe = typeof raw.timeframe === 'string' ? parseDuration(raw.timeframe) : undefined;
    return {
      type: 'change',
      compare_key: typeof raw.compare_key === 'string' ? [raw.compare_key] : (raw.compare_key as string[]),
      timeframe,
      key_history: typeof raw.key_history === 'string' ? parseDuration(raw.key_history) : Math.max(DEFAULT_CHANGE_MEMORY, timeframe ?? 0),
    };
  },
  check(raw) {
    if (typeof raw.timeframe !== 'string' || typeof raw.key_history !== 'string') return [];
    try {
      if (parseDuration(raw.key_history) < parseDuration(raw.timeframe)) {
        return [{ path: ['condition', 'key_history'], message: `is shorter than timeframe (${raw.timeframe}): a value would be forgotten before it could count as changed; make it at least ${raw.timeframe}` }];
      }
    } catch {
      // Durations the schema rejects are reported there.
    }
    return [];
  },
  fields: (condition) => condition.compare_key.map((field) => ({ key: 'compare_key', field })),
  span: (condition, window) => ({ from: window.from - (condition.timeframe ?? 0), to: window.to }),
  search(base, alert, condition) {
    const values = groupAggregation(condition.compare_key, 2, { order: { [LAST]: 'desc' } });
    const times = { [FIRST]: { min: { field: alert.timestamp_field } }, [LAST]: { max: { field: alert.timestamp_field } } };
    return perKeySearch(base, alert, { [VALUES]: { ...values, aggs: times } }, BY_KEY);
  },
  evaluate({ alert, condition, window, response, state }) {
    const remembered = plainCopy<[string, number]>((state as ChangeState | undefined)?.keys, (v) => Array.isArray(v) && typeof v[0] === 'string' && isStoredTime(v[1]));
    const findings: Finding[] = [];
    for (const part of keyParts(alert, response)) {
      const values: SeenValue[] = bucketsOf(part.aggs, VALUES).map((bucket) => ({
        value: bucketKey(bucket),
        first: Number((bucket[FIRST] as { value: number }).value),
        last: Number((bucket[LAST] as { value: number }).value),
      }));
      const change = findChange(values, remembered[part.key], window, condition.timeframe);
      const newest = values[0];
      if (newest && newest.last >= (remembered[part.key]?.[1] ?? -Infinity)) remembered[part.key] = [newest.value, newest.last];
      if (!change) continue;
      findings.push({
        key: part.key,
        count: part.doc_count,
        fields: { ...(part.samples[0] ?? {}), old_value: change.old.value, new_value: change.new.value, old_value_at: isoTime(change.old.at), new_value_at: isoTime(change.new.first) },
        samples: part.samples,
      });
    }
    for (const [key, [, at]] of Object.entries(remembered)) if (at < window.to - condition.key_history) delete remembered[key];
    const forgotten = capKeys(remembered, ([, at]) => at, 'a change of their value across runs is not seen (a change within one search still is)');
    return { findings, state: { keys: remembered } satisfies ChangeState, incomplete: joinWarnings(keysLeftOut(alert, response), forgotten) };
  },
};
