import type { SentNotice, StateData } from '../model/state.js';
import type { ReceiptLog } from './receiptLog.js';

/** The receipts of a state whose `sent` lives in a receipt log: read from it on first use only. */
interface Held {
  log: ReceiptLog;
  /** The receipts as read from the log (with those added since), once a reader asked for them all. */
  list?: SentNotice[];
  /** Each read receipt's line as read: one that differs at the next write (its buttons, a clock step) is written again. */
  lines?: Map<string, string>;
  /** Receipts added since the last write, not yet in the log (kept here while the list is unread). */
  fresh: SentNotice[];
  /** The latest time a receipt was accepted at (undefined: not known without reading the log). */
  latest?: number;
  /** Receipts accepted before this are forgotten (pruneState's horizon): their day files are removed at the next write. */
  horizon?: number;
}

const HELD = new WeakMap<StateData, Held>();

/**
 * Makes `data.sent` read the receipt log on first use instead of being held in the state: a run that reads no
 * receipt never opens it. `carried`: receipts an older state file held itself, written to the log by the next
 * write. `sent` is then no enumerable field of the state (a spread or JSON of the state leaves it out).
 */
export function attachReceiptLog(data: StateData, log: ReceiptLog, carried: readonly SentNotice[] = [], latest?: number): void {
  const held: Held = { log, fresh: [...carried], latest: latest ?? (log.days().length ? undefined : -Infinity) };
  for (const notice of carried) held.latest = Math.max(held.latest ?? -Infinity, notice.at);
  HELD.set(data, held);
  Object.defineProperty(data, 'sent', {
    configurable: true,
    enumerable: false,
    get: () => loaded(held),
    set: (list: SentNotice[]) => {
      loaded(held);
      held.list = list;
    },
  });
}

/**
 * Receipts accepted before `horizon` (now - prune_after) count as forgotten from now on, as pruneState will forget
 * them: set before the inbox stage, so that a chat action finds no notice older than prune_after whose file is still there.
 */
export function forgetReceiptsBefore(data: StateData, horizon: number): void {
  const held = HELD.get(data);
  if (!held) return;
  held.horizon = Math.max(held.horizon ?? -Infinity, horizon);
  if (held.list) held.list = held.list.filter((s) => s.at >= horizon);
}

/** Keeps a receipt just accepted: in the list if it was read, else until the next write, without reading the log. */
export function addReceipt(data: StateData, notice: SentNotice): void {
  const held = HELD.get(data);
  if (held?.latest !== undefined) held.latest = Math.max(held.latest, notice.at);
  if (!held) data.sent.push(notice);
  else if (held.list) held.list.push(notice);
  else held.fresh.push(notice);
}

/** The receipts accepted at or after `since` (with any older ones the state holds anyway), reading only the log's recent days. */
export function recentReceipts(data: StateData, since: number): SentNotice[] {
  const held = HELD.get(data);
  if (!held || held.list) return data.sent.filter((s) => s.at >= since);
  const from = Math.max(since, held.horizon ?? -Infinity);
  return merge(held.log.read(from), held.fresh).filter((s) => s.at >= from);
}

/**
 * The first receipt, newest first, that `match` accepts; `hint` is a string its line must hold (its ref, a message
 * id): the log is read from its newest file and only until a match, not whole. A change made to the receipt found is
 * kept by keepReceiptChange.
 */
export function findReceipt(data: StateData, hint: string, match: (notice: SentNotice) => boolean): SentNotice | undefined {
  const held = HELD.get(data);
  if (!held || held.list) return [...data.sent].reverse().find(match);
  const live = (s: SentNotice) => held.horizon === undefined || s.at >= held.horizon;
  const fresh = [...held.fresh].reverse();
  const found = fresh.find((s) => live(s) && match(s));
  if (found) return found;
  return held.log.find(hint, match, held.horizon, new Set(fresh.map((s) => s.id)));
}

/** Keeps a change made to a receipt findReceipt returned: written with the state, as a receipt of the list is. */
export function keepReceiptChange(data: StateData, notice: SentNotice): void {
  const held = HELD.get(data);
  if (!held || held.list) return;
  held.fresh = held.fresh.filter((s) => s.id !== notice.id);
  held.fresh.push(notice);
}

/**
 * The receipts accepted after `time` (for a clock step's rebase): without reading the log when the state knows that
 * none there is that late. Changes made to them are written with the state.
 */
export function receiptsAfter(data: StateData, time: number): SentNotice[] {
  const held = HELD.get(data);
  if (held && !held.list && held.latest !== undefined && held.latest <= time) return held.fresh.filter((s) => s.at > time);
  return data.sent.filter((s) => s.at > time);
}

/** Receipts accepted before this time are forgotten (set by pruneState; undefined until it ran). */
export function receiptHorizon(data: StateData): number | undefined {
  return HELD.get(data)?.horizon;
}

/** The latest time a receipt of the state was accepted at, when known without reading the log (for the file store to keep). */
export function latestReceipt(data: StateData): number | undefined {
  const latest = HELD.get(data)?.latest;
  return latest === -Infinity ? undefined : latest;
}

/**
 * Forgets receipts accepted before `horizon` whose alert `held` says this transaction holds: in the list if it was
 * read; in a receipt log, by its day files (removed at the next write) and by never reading them back.
 */
export function pruneReceipts(data: StateData, horizon: number, holds: (alert: string) => boolean): void {
  const held = HELD.get(data);
  if (held) held.horizon = horizon;
  if (!held || held.list) data.sent = data.sent.filter((s) => !holds(s.alert) || s.at >= horizon);
}

/**
 * Writes what the log lacks (receipts added, and read ones changed since) and removes day files past the horizon.
 * Called by the state's write, before the journal that recorded the deliveries is cleared: a kill in between
 * appends the same receipts again, and readers keep the last line per id.
 */
export function writeReceipts(data: StateData): void {
  const held = HELD.get(data);
  if (!held) return;
  let changed = held.fresh;
  if (held.list) {
    changed = [];
    for (const notice of held.list) {
      const line = JSON.stringify(notice);
      if (held.lines!.get(notice.id) !== line) {
        changed.push(notice);
        held.lines!.set(notice.id, line);
      }
    }
  }
  held.log.append(changed);
  held.fresh = [];
  // A clock step may have moved read receipts back: the latest is what the list says now, and a file of a later day
  // (written while the clock was ahead) holds only stale lines, which must not come back when the newer files are pruned.
  if (held.list) {
    held.latest = held.list.reduce((at, n) => Math.max(at, n.at), -Infinity);
    const list = held.list;
    let byId: Map<string, SentNotice> | undefined;
    held.log.dropAfter(held.latest === -Infinity ? '' : new Date(held.latest).toISOString().slice(0, 10), (id) => (byId ??= new Map(list.map((n) => [n.id, n]))).get(id));
  }
  if (held.horizon !== undefined) held.log.prune(held.horizon);
}

/** The state with its receipts as a plain field (read from the log if they live there): for a copy of the whole state. */
export function withReceipts(data: StateData): StateData {
  return { ...data, sent: data.sent };
}

function loaded(held: Held): SentNotice[] {
  if (held.list) return held.list;
  const read = held.log.read();
  held.lines = new Map(read.map((n) => [n.id, JSON.stringify(n)]));
  held.list = merge(read, held.fresh).filter((s) => held.horizon === undefined || s.at >= held.horizon);
  held.latest = held.list.reduce((at, n) => Math.max(at, n.at), held.latest ?? -Infinity);
  held.fresh = [];
  return held.list;
}

/** The log's receipts with those not written yet: a later one of the same id takes its place. */
function merge(read: SentNotice[], fresh: readonly SentNotice[]): SentNotice[] {
  if (!fresh.length) return read;
  const byId = new Map(read.map((n) => [n.id, n]));
  for (const notice of fresh) byId.set(notice.id, notice);
  return [...byId.values()];
}
