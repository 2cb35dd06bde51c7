import type { Finding } from '../model/finding.js';
import { perKeyObserved } from './observed.js';
import type { Window } from '../model/window.js';
import { parseDuration } from '../util/duration.js';
import { bucketKey } from './groupKey.js';
import { capKeys, joinWarnings } from './keyMemory.js';
import { BY_KEY, isoTime, keyParts, keysLeftOut, perKeySearch } from './perKey.js';
import type { ChangeCondition, RuleAlert, RuleType } from './types.js';
import { newestFirst, withFilter } from './search.js';
import { plainCopy } from '../util/plainMap.js';
import { isStoredTime } from '../util/epochTime.js';
import { quoted } from '../util/text.js';

const WINDOW = 'alertcron_window';
const BEFORE = 'alertcron_before';
const EVENTS = 'alertcron_events';
/** How long a key's last value is remembered when the alert does not say. */
export const DEFAULT_CHANGE_MEMORY = 30 * 86_400_000;
/** Most events of one key in one run's window that are compared (top_hits brings at most 100 documents). */
export const MAX_CHANGE_EVENTS = 100;

/** How often the note on keys with more events than MAX_CHANGE_EVENTS is told per alert: once a day. */
export const CROWDED_NOTE_EVERY = 86_400_000;
/** Most crowded keys named in the note. */
const CROWDED_NAMED = 5;

/**
 * What change remembers per key: its last value and when it was last seen, [value, epoch ms]; and when the note on
 * crowded keys was last told (the end of that run's window, epoch ms).
 */
export interface ChangeState {
  keys: Record<string, [string, number]>;
  crowdedToldAt?: number;
}

/** One event of a key: its value of compare_key (compound: values joined as a key is) and its time (epoch ms). */
export interface KeyEvent {
  value: string;
  at: number;
}

/** A change a key went through: the event before it (old value) and the event that changed it (new value). */
export interface Change {
  old: KeyEvent;
  new: KeyEvent;
}

/**
 * The latest change of one key within the window, as ElastAlert2's change rule judges each event: an event
 * changes the key when its value differs from the key's previous event (with a timeframe, only when that previous
 * event is at most timeframe older). `events` are the key's consecutive events, oldest first; `before` is the
 * event just before the first of them, when known. Pure.
 */
export function findChange(events: readonly KeyEvent[], before: KeyEvent | undefined, window: Window, timeframe: number | undefined): Change | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const current = events[i]!;
    if (current.at < window.from) return undefined;
    const previous = i > 0 ? events[i - 1] : before;
    if (!previous || previous.value === current.value) continue;
    if (timeframe === undefined || current.at - previous.at <= timeframe) return { old: previous, new: current };
  }
  return undefined;
}

/** A key's events from a top_hits of docvalue fields (newest first as fetched), oldest first. */
function keyEvents(hits: unknown, compareKey: readonly string[], timestampField: string): KeyEvent[] {
  const list = ((hits as { hits?: { hits?: { fields?: Record<string, unknown[]> }[] } } | undefined)?.hits?.hits ?? []);
  const events: KeyEvent[] = [];
  for (const hit of list) {
    const parts = compareKey.map((field) => {
      const values = hit.fields?.[field] ?? [];
      return values.length === 1 ? values[0] : values.length ? values.map(String).join(',') : undefined;
    });
    const at = Number(hit.fields?.[timestampField]?.[0]);
    if (parts.some((part) => part === undefined) || !isStoredTime(at)) continue;
    events.push({ value: bucketKey({ key: parts.length === 1 ? parts[0] : parts }), at });
  }
  return events.reverse();
}

/** The top_hits that brings a key's newest events: only compare_key and the time, no _source. */
function eventsAggregation(alert: RuleAlert, condition: ChangeCondition, size: number): Record<string, unknown> {
  return { top_hits: { size, sort: newestFirst(alert), _source: false, docvalue_fields: [...condition.compare_key, { field: alert.timestamp_field, format: 'epoch_millis' }] } };
}

/**
 * `change`: per key, the value of compare_key (one field, or several together) changed from the key's previous
 * event. Each run reads each key's newest events in its window (and the last one within timeframe before it) and
 * walks them in time order; the key's last value is remembered for key_history, so a change across runs (and a
 * restart) is seen too.
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
  search(base, alert, condition, window) {
    // Events without a value of compare_key are ignored (ElastAlert2's ignore_null), so they are not searched.
    const withValues = withFilter(base, { bool: { filter: condition.compare_key.map((field) => ({ exists: { field } })) } });
    const since = (gte: boolean) => ({ range: { [alert.timestamp_field]: { [gte ? 'gte' : 'lt']: window.from, format: 'epoch_millis' } } });
    const aggs: Record<string, unknown> = { [WINDOW]: { filter: since(true), aggs: { [EVENTS]: eventsAggregation(alert, condition, MAX_CHANGE_EVENTS) } } };
    if (condition.timeframe !== undefined) aggs[BEFORE] = { filter: since(false), aggs: { [EVENTS]: eventsAggregation(alert, condition, 1) } };
    return perKeySearch(withValues, alert, aggs, BY_KEY);
  },
  evaluate({ alert, condition, window, response, state }) {
    const saved = state as ChangeState | undefined;
    const remembered = plainCopy<[string, number]>(saved?.keys, (v) => Array.isArray(v) && typeof v[0] === 'string' && isStoredTime(v[1]));
    const findings: Finding[] = [];
    const unchecked: string[] = [];
    for (const part of keyParts(alert, response)) {
      const inWindow = part.aggs[WINDOW] as { doc_count?: number; [EVENTS]?: unknown } | undefined;
      const events = keyEvents(inWindow?.[EVENTS], condition.compare_key, alert.timestamp_field);
      const complete = (inWindow?.doc_count ?? 0) <= events.length;
      // The event before the window's first: the last one within timeframe before the window, or the remembered one.
      const last = remembered[part.key];
      const candidates = [...keyEvents((part.aggs[BEFORE] as { [EVENTS]?: unknown } | undefined)?.[EVENTS], condition.compare_key, alert.timestamp_field)];
      if (last) candidates.push({ value: last[0], at: last[1] });
      const first = events[0]?.at ?? Infinity;
      const before = complete ? candidates.filter((e) => e.at < first).sort((a, b) => b.at - a.at)[0] : undefined;
      const change = findChange(events, before, window, condition.timeframe);
      const newest = events[events.length - 1] ?? before;
      if (newest && newest.at >= (last?.[1] ?? -Infinity)) remembered[part.key] = [newest.value, newest.at];
      if (!change) {
        if (!complete && (events[0]?.at ?? window.from) >= window.from) unchecked.push(part.key);
        continue;
      }
      findings.push({
        key: part.key,
        // The key's events in the run's window ({{from}} to {{to}}), not those of the timeframe before it.
        count: inWindow?.doc_count ?? 0,
        fields: { ...(part.samples[0] ?? {}), old_value: change.old.value, new_value: change.new.value, old_value_at: isoTime(change.old.at), new_value_at: isoTime(change.new.at) },
        samples: part.samples,
      });
    }
    for (const [key, [, at]] of Object.entries(remembered)) if (at < window.to - condition.key_history) delete remembered[key];
    const forgotten = capKeys(remembered, ([, at]) => at, 'a change of their value across runs is not seen (a change within one search still is)');
    // A crowded key is held (neither resolved nor counted absent) but the other keys were judged in full: the note is
    // not an incomplete answer, and it is told at most once a day per alert. Key values from the logs are quoted.
    const toldAt = isStoredTime(saved?.crowdedToldAt) ? saved!.crowdedToldAt! : undefined;
    const tell = unchecked.length > 0 && (toldAt === undefined || toldAt > window.to || window.to - toldAt >= CROWDED_NOTE_EVERY);
    const note = tell
      ? `${unchecked.length} key(s) had more than ${MAX_CHANGE_EVENTS} events in this window (${unchecked.slice(0, CROWDED_NAMED).map((key) => quoted(key, 80)).join(', ')}${unchecked.length > CROWDED_NAMED ? ' ...' : ''}): a change among their older events was not looked for, and those keys are not resolved while it lasts (told at most once a day)`
      : undefined;
    const next: ChangeState = { keys: remembered, ...(tell ? { crowdedToldAt: window.to } : toldAt !== undefined ? { crowdedToldAt: toldAt } : {}) };
    const observed = perKeyObserved(alert, response, (part) => (part.aggs[WINDOW] as { doc_count?: number } | undefined)?.doc_count ?? 0);
    return { findings, state: next, incomplete: joinWarnings(keysLeftOut(alert, response), forgotten), ...(unchecked.length ? { unjudged: unchecked } : {}), ...(note ? { note } : {}), observed };
  },
};
