import type { KeyState } from '../model/state.js';
import type { PlainMap } from '../util/plainMap.js';
import { settleKeys } from './settle.js';
import { appendFileDurably } from '../util/durableFile.js';

/** A part of the state that was read but had the wrong shape or a bad time: taken out of the state, kept for people. */
export interface SetAside {
  /** Where it was, e.g. `alerts["logons"].keys["root"]` or `pending[3]`. */
  where: string;
  why: string;
  value: unknown;
}

/** Parts set aside from key histories parsed after the state was read (keys are parsed when a run needs them). */
const late: SetAside[] = [];

/** Settles an alert's key history parsed late (see settleKeys); what it sets aside waits in lateSetAside(). */
export function settleLateKeys(alert: string, keys: unknown): PlainMap<KeyState> {
  return settleKeys(alert, keys, (where, why, value) => late.push({ where, why, value }));
}

/** Sets aside a part of a key history read late that is not even a key (a line of the key file that cannot be read). */
export function setAsideLate(item: SetAside): void {
  late.push(item);
}

/** What key histories parsed in this process set aside, from the `from`-th on. */
export function lateSetAside(from = 0): SetAside[] {
  return late.slice(from);
}

/** The file beside a state file (or a host's local file) that keeps what was set aside from it. */
export function setAsideFile(file: string): string {
  return `${file}.set-aside`;
}

/**
 * Keeps what was set aside in `<file>.set-aside`, one JSON line each (when, where, why, the value as read), so that
 * nothing read is lost and people can put it right; returns that file's name.
 */
export function keepSetAside(file: string, items: readonly SetAside[], now = Date.now()): string {
  const kept = setAsideFile(file);
  // A source's login token is a credential: what was wrong with it is kept, never the token itself.
  const lines = items.map((item) => JSON.stringify({ at: new Date(now).toISOString(), ...item, ...(item.where.startsWith('tokens') ? { value: '(a login token, left out)' } : {}) }));
  if (items.length) appendFileDurably(kept, lines.map((line) => `${line}\n`).join(''), { mode: 0o600 });
  return kept;
}

/** The warning for what key histories parsed late set aside (see settleLateKeys), or undefined; `keptIn` as in setAsideWarning. */
export function lateSetAsideWarning(keptIn: string | undefined): string | undefined {
  return setAsideWarning(lateSetAside(), "the alerts' key history", keptIn);
}

/** One warning line naming what was set aside (the first few, then how many more) and where it was kept. */
export function setAsideWarning(items: readonly SetAside[], source: string, keptIn: string | undefined): string | undefined {
  if (!items.length) return undefined;
  const named = items.slice(0, 3).map((item) => `${item.where}: ${item.why}`);
  if (items.length > 3) named.push(`and ${items.length - 3} more`);
  const kept = keptIn ? `; set aside in ${keptIn}` : '; a run will set them aside';
  return `${source} has ${items.length} part(s) of the wrong shape, left out (${named.join('; ')})${kept}`;
}
