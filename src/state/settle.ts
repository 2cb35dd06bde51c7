import type { AlertState, KeyState, StateData } from '../model/state.js';
import { isChatId } from '../util/chatId.js';
import { isStoredTime } from '../util/epochTime.js';
import { asPlainMap, isPlainObject, plainMap, type PlainMap } from '../util/plainMap.js';
import type { SetAside } from './setAside.js';
import { oneLine } from '../util/text.js';

/** What is wrong with a record's fields, by field kind: required or optional times, strings, numbers, objects, lists. */
interface Fields {
  times?: readonly string[];
  /** Times that must be there. */
  needTimes?: readonly string[];
  strings?: readonly string[];
  needStrings?: readonly string[];
  numbers?: readonly string[];
  objects?: readonly string[];
  lists?: readonly string[];
}

/** Says what is wrong with one stored record (not an object, a field of the wrong type, a time out of range), or undefined. */
function recordProblem(value: unknown, fields: Fields): string | undefined {
  if (!isPlainObject(value)) return `it is ${describe(value)}, not an object`;
  for (const name of fields.needTimes ?? []) if (!isStoredTime(value[name])) return `${name} is ${describeTime(value[name])}`;
  for (const name of fields.times ?? []) if (value[name] !== undefined && !isStoredTime(value[name])) return `${name} is ${describeTime(value[name])}`;
  for (const name of fields.needStrings ?? []) if (typeof value[name] !== 'string') return `${name} is ${describe(value[name])}, not a string`;
  for (const name of fields.strings ?? []) if (value[name] !== undefined && typeof value[name] !== 'string') return `${name} is ${describe(value[name])}, not a string`;
  for (const name of fields.numbers ?? []) if (value[name] !== undefined && !(typeof value[name] === 'number' && Number.isFinite(value[name]))) return `${name} is ${describe(value[name])}, not a number`;
  for (const name of fields.objects ?? []) if (value[name] !== undefined && !isPlainObject(value[name])) return `${name} is ${describe(value[name])}, not an object`;
  for (const name of fields.lists ?? []) if (value[name] !== undefined && !Array.isArray(value[name])) return `${name} is ${describe(value[name])}, not a list`;
  return undefined;
}

/** A name from the state as it appears in a warning: quoted, escaped, cut short. */
function quote(name: string): string {
  return JSON.stringify(oneLine(name, 81));
}

/** A short description of a value of the wrong type, for warnings (never its whole text). */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value === undefined) return 'missing';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Why a value is not a stored time. */
function describeTime(value: unknown): string {
  if (typeof value === 'number') return Number.isFinite(value) ? `${value}, outside the dates alertcron writes (1970 to 9999)` : 'not a finite number';
  return `${describe(value)}, not a time in ms`;
}

const KEY: Fields = { needTimes: ['firstSeen', 'lastSeen'], times: ['lastFired', 'resolvedAt'], numbers: ['fired', 'missedRuns', 'tier', 'throttle', 'exponent'], objects: ['acknowledged', 'handled'], strings: ['lastTitle'] };
const PENDING: Fields = { needStrings: ['id', 'alert', 'key'], strings: ['channel', 'title', 'message', 'reason', 'ref'], needTimes: ['createdAt'], times: ['notBefore'], numbers: ['attempts'], objects: ['action', 'labels', 'values', 'partial'], lists: ['to', 'actions'] };
const SENT: Fields = { needStrings: ['id', 'alert', 'key', 'channel'], needTimes: ['at'], objects: ['receipt'], lists: ['actions', 'offered'] };
const SILENCE: Fields = { needStrings: ['id', 'alert'], strings: ['key'], needTimes: ['createdAt', 'endsAt'], objects: ['match'] };
const CONVERSATION: Fields = { needStrings: ['id'], strings: ['alert', 'key'], times: ['createdAt', 'deadline', 'askedAt', 'closedAt'], objects: ['twoFactor', 'answer', 'address'], lists: ['history', 'received', 'outbox', 'links'] };
const CHAT_LOG: Fields = { needTimes: ['at'] };
const CHAT: Fields = { needStrings: ['id'], needTimes: ['at'] };
const LAST_RUN: Fields = { needTimes: ['startedAt', 'finishedAt'], times: ['lastSuccessAt'] };
const SOURCE: Fields = { times: ['since'], numbers: ['failures'] };
const TOKEN: Fields = { strings: ['value', 'owner'], times: ['obtainedAt', 'expiresAt'] };
const DIGEST: Fields = { needTimes: ['from', 'to', 'due'], strings: ['group'], numbers: ['findings', 'omitted'], lists: ['columns', 'rows', 'keys'] };
const DIGEST_ROW: Fields = { needTimes: ['first', 'last'], numbers: ['count'], lists: ['cells'] };
const WINDOW: Fields = { needTimes: ['from', 'to'] };
/** An alert's own fields settleAlert checks (its keys and digests apart). */
const ALERT_FIELDS = ['lastRunAt', 'start', 'window', 'catchups', 'lastError'] as const;

/**
 * What is wrong with one of an alert's own fields (set, so not undefined), or undefined: a check per field rather
 * than a record made for each (this runs for every field of every alert, every run).
 */
function alertFieldProblem(field: (typeof ALERT_FIELDS)[number], value: unknown): string | undefined {
  switch (field) {
    case 'lastRunAt':
    case 'start':
      return isStoredTime(value) ? undefined : `${field} is ${describeTime(value)}`;
    case 'window':
      return isPlainObject(value) ? recordProblem(value, WINDOW) : `window is ${describe(value)}, not an object`;
    case 'catchups':
      if (!Array.isArray(value)) return `catchups is ${describe(value)}, not a list`;
      return value.every(isStoredTime) ? undefined : 'catchups holds a value that is not a time';
    case 'lastError':
      return typeof value === 'string' ? undefined : `lastError is ${describe(value)}, not a string`;
  }
}

/** What is wrong with a pending item as stored (e.g. one a journal line queues), or undefined. */
export function pendingProblem(item: unknown): string | undefined {
  return recordProblem(item, PENDING);
}

/** What is wrong with a sent notice's receipt as stored (e.g. a line of the receipt log), or undefined. */
export function sentProblem(item: unknown): string | undefined {
  return recordProblem(item, SENT);
}

/** The list slices of the state and the shape of their items. */
const LISTS: readonly [keyof StateData, Fields][] = [
  ['pending', PENDING],
  ['sent', SENT],
  ['silences', SILENCE],
  ['conversations', CONVERSATION],
  ['chatLog', CHAT_LOG],
];

/** The map slices of the state and the shape of their values (undefined: any value, e.g. a channel's cursor). */
const MAPS: readonly [keyof StateData, Fields | undefined][] = [
  ['sources', SOURCE],
  ['tokens', TOKEN],
  ['cursors', undefined],
  ['hostHealth', SOURCE],
];

/**
 * Makes a state read from a file or the cluster safe to work on: every map keyed by outside data (alerts, keys,
 * channels, chats, sources ...) becomes a map without a prototype, and every part of the wrong shape or with a time
 * alertcron cannot have written (not a number, negative, beyond the Date range) is taken out and returned, so that
 * one bad item is named and set aside while the rest of the state is used. The alerts' key histories not parsed yet
 * are settled when they are (see settleKeys).
 */
export function settleState(data: StateData): SetAside[] {
  const out: SetAside[] = [];
  const record = data as unknown as Record<string, unknown>;
  const aside = (where: string, why: string, value: unknown) => out.push({ where, why, value });
  for (const [slice, fields] of LISTS) {
    const list = record[slice];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      aside(slice, `it is ${describe(list)}, not a list`, list);
      record[slice] = [];
      continue;
    }
    record[slice] = list.filter((item, i) => {
      const why = recordProblem(item, fields);
      const id = isPlainObject(item) && typeof item.id === 'string' ? ` ${quote(item.id)}` : '';
      if (why) aside(`${slice}[${i}]${id}`, why, item);
      return !why;
    });
  }
  for (const item of data.pending) {
    if (item.labels !== undefined) item.labels = asPlainMap(item.labels);
    if (item.values !== undefined) item.values = asPlainMap(item.values);
  }
  for (const [slice, fields] of MAPS) settleMap(record, slice, slice, fields, aside);
  settleMap(record, 'chatDone', 'chatDone', undefined, aside, (value) => (isStoredTime(value) ? undefined : describeTime(value)));
  if (settleMap(record, 'chats', 'chats', {}, aside)) {
    for (const [channel, chats] of Object.entries(data.chats!)) {
      const lists = chats as unknown as Record<string, unknown>;
      for (const list of ['allowed', 'requested', 'banned']) {
        // A chat is known by its Telegram id, an integer in Telegram's range: any other name (`__proto__`, `0`, 30 digits) is not a chat to send to.
        settleMap(lists, list, `chats[${quote(channel)}].${list}`, CHAT, aside, (entry, id) => (isChatId(id) && (entry as { id: unknown }).id === id ? undefined : `${quote(id)} is not the id of a Telegram chat`));
        lists[list] ??= plainMap();
      }
    }
  }
  if (record.lastRun !== undefined) {
    const why = recordProblem(record.lastRun, LAST_RUN);
    if (why) {
      aside('lastRun', why, record.lastRun);
      delete record.lastRun;
    }
  }
  if (settleMap(record, 'alerts', 'alerts', undefined, aside, (alert) => (isPlainObject(alert) ? undefined : `it is ${describe(alert)}, not an object`))) {
    // for-in, not entries: this runs for every alert, every run.
    for (const name in data.alerts) settleAlert(name, data.alerts[name]!, aside);
  }
  return out;
}

/** Settles one alert's own fields (a bad window or time is dropped alone) and its keys if they are parsed already. */
function settleAlert(name: string, alert: AlertState, aside: (where: string, why: string, value: unknown) => void): void {
  // Quoted only for a warning: the escaping is a few regular expressions per alert, every run.
  const where = () => `alerts[${quote(name)}]`;
  const fields = alert as unknown as Record<string, unknown>;
  for (const field of ALERT_FIELDS) {
    const value = fields[field];
    if (value === undefined) continue;
    const why = alertFieldProblem(field, value);
    if (why) {
      aside(`${where()}.${field}`, why.startsWith(field) ? why : `${field}: ${why}`, value);
      delete fields[field];
    }
  }
  if (fields.digests !== undefined) settleDigests(where, alert, aside);
  const own = Object.getOwnPropertyDescriptor(alert, 'keys');
  // Keys not parsed yet are settled by settleKeys when they are (a file store attaches them after this).
  if (!own?.get) alert.keys = settleKeys(name, alert.keys, aside);
}

/** Settles an alert's open digests: a bucket of the wrong shape (or with a row of the wrong shape) is set aside alone. */
function settleDigests(where: () => string, alert: AlertState, aside: (where: string, why: string, value: unknown) => void): void {
  const list: unknown = alert.digests;
  if (!Array.isArray(list)) {
    aside(`${where()}.digests`, `it is ${describe(list)}, not a list`, list);
    delete alert.digests;
    return;
  }
  alert.digests = list.filter((bucket, i) => {
    let why = recordProblem(bucket, DIGEST);
    const rows = isPlainObject(bucket) && Array.isArray(bucket.rows) ? (bucket.rows as unknown[]) : [];
    why ??= rows.map((row) => recordProblem(row, DIGEST_ROW)).find((problem) => problem !== undefined);
    if (why) aside(`${where()}.digests[${i}]`, why, bucket);
    return !why;
  });
}

/**
 * Settles one alert's key history as parsed: a map without a prototype, each key's `delivered` too; a key of the
 * wrong shape or with a bad time is taken out and reported to `aside`.
 */
export function settleKeys(alert: string, keys: unknown, aside: (where: string, why: string, value: unknown) => void): PlainMap<KeyState> {
  const where = () => `alerts[${quote(alert)}].keys`;
  if (keys !== undefined && !isPlainObject(keys)) {
    aside(where(), `it is ${describe(keys)}, not an object`, keys);
    return plainMap();
  }
  const map = asPlainMap<KeyState>(keys);
  // A loop without copies: a key history may hold 100,000 keys, and this runs whenever one is read.
  for (const key in map) {
    const state = map[key] as unknown;
    const why = keyProblem(state);
    if (why) {
      aside(`${where()}[${quote(key)}]`, why, state);
      delete map[key];
      continue;
    }
    // A bad episode start is dropped alone (the display falls back to the first sight): the key keeps its throttle, ack and deliveries.
    const since = (state as Record<string, unknown>).firingSince;
    if (since !== undefined && !isStoredTime(since)) {
      aside(`${where()}[${quote(key)}].firingSince`, `firingSince is ${describeTime(since)}`, since);
      delete (state as Record<string, unknown>).firingSince;
    }
    const delivered = (state as KeyState).delivered;
    if (delivered === undefined) (state as KeyState).delivered = plainMap();
    else if (Object.getPrototypeOf(delivered) !== null) Object.setPrototypeOf(delivered, null);
    const opened = (state as KeyState).opened;
    if (isPlainObject(opened) && Object.getPrototypeOf(opened) !== null) Object.setPrototypeOf(opened, null);
  }
  return map;
}

/** What is wrong with one stored key (see KEY), its `delivered` times included, or undefined. */
function keyProblem(state: unknown): string | undefined {
  const why = recordProblem(state, KEY);
  if (why) return why;
  const delivered = (state as { delivered?: unknown }).delivered;
  if (delivered === undefined) return undefined;
  if (!isPlainObject(delivered)) return `delivered is ${describe(delivered)}, not an object`;
  for (const channel in delivered) {
    if (Object.prototype.hasOwnProperty.call(delivered, channel) && !isStoredTime(delivered[channel])) return `delivered[${quote(channel)}] is ${describeTime(delivered[channel])}`;
  }
  return undefined;
}

/**
 * Makes `holder[slice]` a map without a prototype when it is an object (returns true), or sets it aside when it is
 * anything else; each value that `problem` (or `fields`) rejects is taken out alone.
 */
function settleMap(
  holder: Record<string, unknown>,
  slice: string,
  where: string,
  fields: Fields | undefined,
  aside: (where: string, why: string, value: unknown) => void,
  problem?: (value: unknown, key: string) => string | undefined,
): boolean {
  const value = holder[slice];
  if (value === undefined) return false;
  if (!isPlainObject(value)) {
    aside(where, `it is ${describe(value)}, not an object`, value);
    holder[slice] = plainMap();
    return false;
  }
  const map = asPlainMap<unknown>(value);
  for (const key in map) {
    const item = map[key];
    const why = (fields ? recordProblem(item, fields) : undefined) ?? problem?.(item, key);
    if (!why) continue;
    aside(`${where}[${quote(key)}]`, why, item);
    delete map[key];
  }
  return true;
}
