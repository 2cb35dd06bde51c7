import type { AlertState, KeyState, StateData } from '../model/state.js';
import { plainMap } from '../util/plainMap.js';
import { settleLateKeys } from './setAside.js';

/**
 * What the file store knows of an alert's keys without parsing them: written with them, true as long as they are
 * not loaded (so not changed) in this process.
 */
export interface KeySummary {
  /** Keys remembered. */
  count: number;
  /** Keys acknowledged or handled elsewhere: followed until they stop matching. */
  attention: number;
  /** Keys notified and not resolved since (an alert with resolve_after follows them). */
  firing: number;
  /** The earliest lastSeen of the keys, MAX_SAFE_INTEGER for none (pruning has nothing to do before prune_after has passed since). */
  oldestSeen: number;
}

/** One alert's stored keys: the summary and the keys' JSON text, parsed only when the run reads them. */
interface Segment {
  summary: KeySummary;
  text: string;
  /** The whole line as read (without its newline), copied as it is while the keys stay unloaded. */
  line?: string;
}

/** The keys not loaded yet, per alert state object (a loaded alert's keys are plain data again). */
const unloaded = new WeakMap<AlertState, Segment>();

/**
 * The summary of an alert's keys while they are not loaded in this process, else undefined (then read the keys).
 * Lets a run skip an alert's key history when nothing in it needs a look.
 */
export function unloadedKeySummary(state: AlertState): KeySummary | undefined {
  return unloaded.get(state)?.summary;
}

/** Summarises keys as they are stored (see KeySummary). */
export function summariseKeys(keys: Record<string, KeyState>): KeySummary {
  const summary: KeySummary = { count: 0, attention: 0, firing: 0, oldestSeen: Number.MAX_SAFE_INTEGER };
  for (const key of Object.values(keys)) {
    summary.count++;
    if (key.acknowledged || key.handled) summary.attention++;
    // Firing as policy/decide.ts isFiring says: notified, and not resolved since.
    if (key.lastFired !== undefined && !(key.resolvedAt !== undefined && key.resolvedAt >= key.lastFired)) summary.firing++;
    if (key.lastSeen < summary.oldestSeen) summary.oldestSeen = key.lastSeen;
  }
  return summary;
}

/**
 * Attaches stored keys to an alert's state without parsing them: `keys` parses them the first time it is read
 * (or is replaced when written), after which they are ordinary data.
 */
export function attachKeys(state: AlertState, name: string, segment: Segment, file: string): void {
  unloaded.set(state, segment);
  const settle = (target: AlertState, value: Record<string, KeyState>) => {
    unloaded.delete(target);
    Object.defineProperty(target, 'keys', { value, writable: true, enumerable: true, configurable: true });
  };
  Object.defineProperty(state, 'keys', {
    enumerable: true,
    configurable: true,
    get(this: AlertState) {
      let value: Record<string, KeyState>;
      try {
        value = JSON.parse(segment.text) as Record<string, KeyState>;
      } catch (error) {
        throw new Error(`the key history of alert ${name} in ${file} is not valid JSON (${(error as Error).message}): move the file aside to start that history afresh`);
      }
      // Any key is a plain key; a key of the wrong shape is set aside alone.
      value = settleLateKeys(name, value);
      settle(this, value);
      return value;
    },
    set(this: AlertState, value: Record<string, KeyState>) {
      settle(this, value);
    },
  });
}

/** The line of one alert in the key file (without its newline): its name, the keys' summary and the keys, tab-separated JSON. */
function line(name: string, segment: Segment): string {
  return `${JSON.stringify(name)}\t${JSON.stringify(segment.summary)}\t${segment.text}`;
}

/** The key file's text from its lines. */
export function keyFileText(lines: ReadonlyMap<string, string>): string {
  let text = '';
  for (const value of lines.values()) text += `${value}\n`;
  return text;
}

/**
 * Splits the state into the head (everything but the alerts' keys) and the key file's text; `changed` is false
 * when no alert's keys differ from `previous` (the key file as read or last written): only loaded keys are
 * serialised again, the others are copied as they were read.
 */
export function splitKeys(data: StateData, previous: ReadonlyMap<string, string>): { head: StateData; keys: Map<string, string>; changed: boolean } {
  const alerts: Record<string, AlertState> = plainMap();
  const keys = new Map<string, string>();
  let changed = false;
  for (const [name, state] of Object.entries(data.alerts)) {
    const { keys: _keys, ...rest } = Object.getOwnPropertyDescriptor(state, 'keys')?.get ? withoutKeys(state) : state;
    alerts[name] = rest as AlertState;
    const stored = unloaded.get(state);
    const text = stored ? (stored.line ?? line(name, stored)) : line(name, { summary: summariseKeys(state.keys ?? {}), text: JSON.stringify(state.keys ?? {}) });
    if (previous.get(name) !== text) changed = true;
    keys.set(name, text);
  }
  if (previous.size !== keys.size) changed = true;
  return { head: { ...data, alerts }, keys, changed };
}

/** The alert state's own fields other than keys, without reading (so parsing) the keys. */
function withoutKeys(state: AlertState): Omit<AlertState, 'keys'> & { keys?: undefined } {
  const copy: Record<string, unknown> = {};
  for (const field of Object.keys(state)) if (field !== 'keys') copy[field] = (state as unknown as Record<string, unknown>)[field];
  return copy as Omit<AlertState, 'keys'>;
}

/**
 * Reads the key file's text into one line per alert: name, summary and the keys' text (not parsed). A line that
 * cannot be read is reported in `problems` and skipped.
 */
export function readKeyLines(text: string): { lines: Map<string, { line: string; segment: Segment }>; problems: string[] } {
  const lines = new Map<string, { line: string; segment: Segment }>();
  const problems: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const raw = text.slice(start, end);
    start = end + 1;
    if (!raw) continue;
    const first = raw.indexOf('\t');
    const second = first < 0 ? -1 : raw.indexOf('\t', first + 1);
    try {
      if (second < 0) throw new Error('not name, summary and keys');
      const name = JSON.parse(raw.slice(0, first)) as string;
      const summary = JSON.parse(raw.slice(first + 1, second)) as KeySummary;
      if (typeof name !== 'string' || typeof summary?.count !== 'number') throw new Error('not name, summary and keys');
      lines.set(name, { line: raw, segment: { summary, text: raw.slice(second + 1), line: raw } });
    } catch (error) {
      problems.push(`line ${lines.size + problems.length + 1}: ${(error as Error).message}`);
    }
  }
  return { lines, problems };
}
