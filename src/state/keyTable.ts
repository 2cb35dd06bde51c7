import type { KeyState } from '../model/state.js';
import { goneLine, indexKeyLines, keyLine, keyLineAt, type KeySummary, type Section, type SummaryChange } from './keyFile.js';
import { setAsideLate, settleLateKeys } from './setAside.js';

/** Where a key line is: the index of its text (SPAN apart) plus its start in that text. */
const SPAN = 2 ** 32;
/**
 * How much text the searches for keys' lines may go over before the lines are indexed, in multiples of the alert's
 * key text (a key not there, the common case of a key firing anew, is searched for over all of it): indexing costs
 * about two such searches (20 and 45 ms CPU over 28 MB), so a run that reads one or two keys of an alert with many
 * indexes none of the others, and a run that reads many pays at most about twice what indexing at once would.
 */
const SCAN_BUDGET = 2;

/** The table behind each alert's `keys` that the file store read (keyed by the map the alert state holds). */
const tables = new WeakMap<object, KeyTable>();

/** The key table behind an alert's `keys`, or undefined for a plain map (keys made in this process, or another store's). */
export function keyTableOf(keys: Record<string, KeyState> | undefined): KeyTable | undefined {
  return keys === undefined ? undefined : tables.get(keys);
}

/**
 * The keys an absent-key walk must look at, as [name, state] in the map's order: of a key table, only those that
 * can need it (see KeyTable.followed; firing keys only when `firing`, for an alert with resolve_after); every key of a plain map.
 */
export function followedKeys(keys: Record<string, KeyState>, firing = true): [string, KeyState][] {
  return keyTableOf(keys)?.followed(firing) ?? Object.entries(keys);
}

/** The keys whose times may differ from what their runs wrote: of a key table, those read or set in this process; every key of a plain map. */
export function touchedKeys(keys: Record<string, KeyState>): KeyState[] {
  return keyTableOf(keys)?.touched() ?? Object.values(keys);
}

/**
 * One alert's keys as the key file holds them, read one key at a time: `proxy` is the map the alert state holds (any
 * read, write, delete or walk works as on a plain map without a prototype); a key's JSON is parsed the first time it
 * is read, the lines are indexed (not parsed) the first time any key is, and a commit writes only the keys that changed.
 */
export class KeyTable {
  /** Where each key's line is as last written (by key JSON), in the order of the map; built on first use. */
  private index?: Map<string, number>;
  /** The texts the lines are in: the sections' files, then what each commit wrote. */
  private readonly texts: string[] = [];
  /** The sections as read, each with the index of its text in `texts` (dropped once the index is built). */
  private pieces: { section: Section; at: number }[];
  /** The texts (by index) that commits wrote before the index was built: indexed after the sections. */
  private readonly bodies: number[] = [];
  /** Before the index is built: the addresses of the keys looked up by searching (undefined: no such key), kept up to date by commits. */
  private readonly probed = new Map<string, number | undefined>();
  /** Characters the searches went over, and how many they may (see SCAN_BUDGET) before the index is built. */
  private scanned = 0;
  private readonly budget: number;
  /** The keys read or set in this process: they may have changed. */
  private readonly live = new Map<string, KeyState>();
  /** The keys deleted in this process and not written so yet. */
  private readonly gone = new Set<string>();
  /** Keys added in this process (or deleted and added again), in order: they come after the others. */
  private readonly added = new Set<string>();
  /** True when the summary's oldestSeen was made exact by a walk and differs from what was written. */
  private oldestChanged = false;
  /** What the last commit changed of the summary, as a `U` header writes it. */
  lastChange?: SummaryChange;
  /** The map the alert state holds. */
  readonly proxy: Record<string, KeyState>;

  constructor(
    readonly alert: string,
    sections: readonly Section[],
    /** The summary as last written (oldestSeen may be earlier than the oldest key: a bound until a walk makes it exact). */
    public summary: KeySummary,
  ) {
    this.pieces = sections.map((section) => {
      let at = this.texts.indexOf(section.text);
      if (at < 0) at = this.texts.push(section.text) - 1;
      return { section, at };
    });
    this.budget = SCAN_BUDGET * sections.reduce((sum, section) => sum + section.end - section.start, 0);
    const target = Object.create(null) as Record<string, KeyState>;
    const name = (p: string | symbol) => (typeof p === 'string' ? p : undefined);
    this.proxy = new Proxy(target, {
      get: (_t, p) => (name(p) === undefined ? undefined : this.get(p as string)),
      set: (_t, p, value) => name(p) !== undefined && (this.set(p as string, value as KeyState), true),
      deleteProperty: (_t, p) => (name(p) === undefined || this.delete(p as string), true),
      has: (_t, p) => name(p) !== undefined && this.get(p as string) !== undefined,
      ownKeys: () => this.names(),
      getOwnPropertyDescriptor: (_t, p) => {
        const value = name(p) === undefined ? undefined : this.get(p as string);
        return value === undefined ? undefined : { value, writable: true, enumerable: true, configurable: true };
      },
      defineProperty: (_t, p, descriptor) => name(p) !== undefined && 'value' in descriptor && (this.set(p as string, descriptor.value as KeyState), true),
    });
    tables.set(this.proxy, this);
  }

  /** True once the key lines are indexed (before that, keys are found by searching the texts). */
  get indexed(): boolean {
    return this.index !== undefined;
  }

  /** True once any key was looked at (the summary alone no longer says what the keys are). */
  get lookedAt(): boolean {
    return this.index !== undefined || this.probed.size > 0 || this.live.size > 0 || this.gone.size > 0;
  }

  /** Reads a key (parsing its JSON once), undefined when there is none (or it was set aside: it had the wrong shape). */
  get(key: string): KeyState | undefined {
    const known = this.live.get(key);
    if (known !== undefined || this.gone.has(key)) return known;
    const address = this.address(JSON.stringify(key));
    if (address === undefined) return undefined;
    const { json } = this.line(address);
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch (error) {
      setAsideLate({ where: `alerts[${JSON.stringify(this.alert)}].keys[${JSON.stringify(key)}]`, why: `not valid JSON (${(error as Error).message})`, value: json });
      this.gone.add(key);
      return undefined;
    }
    const settled = settleLateKeys(this.alert, Object.defineProperty(Object.create(null), key, { value, enumerable: true, writable: true, configurable: true }))[key];
    if (settled === undefined) this.gone.add(key);
    else this.live.set(key, settled);
    return settled;
  }

  /** Sets a key. */
  set(key: string, value: KeyState): void {
    if (!this.present(key)) this.added.add(key);
    this.gone.delete(key);
    this.live.set(key, value);
  }

  /** Forgets a key. */
  delete(key: string): void {
    this.live.delete(key);
    this.added.delete(key);
    if (this.address(JSON.stringify(key)) !== undefined) this.gone.add(key);
  }

  /** How many keys there are (before the index is built: the summary's count with the changes of this process). */
  count(): number {
    if (!this.index) {
      let count = this.summary.count - this.gone.size;
      for (const key of this.added) if (this.address(JSON.stringify(key)) === undefined) count++;
      return count;
    }
    let count = this.index.size - this.gone.size;
    for (const key of this.added) if (!this.index.has(JSON.stringify(key))) count++;
    return count;
  }

  /** Every key's name, in the order a plain map would give (integer-like names first, then as added). */
  names(): string[] {
    const names: string[] = [];
    for (const json of this.entries().keys()) {
      const key = JSON.parse(json) as string;
      if (!this.gone.has(key) && !this.added.has(key)) names.push(key);
    }
    names.push(...this.added);
    return inObjectOrder(names);
  }

  /** The keys read or set in this process (the others are as their runs left them). */
  touched(): KeyState[] {
    return [...this.live.values()];
  }

  /**
   * The keys an absent-key walk must look at, as [name, state] in the map's order: those the summary says are
   * acknowledged, handled or (when `firing`: an alert that resolves keys) firing, and those read or set in this
   * process; no other key can be.
   */
  followed(firing = true): [string, KeyState][] {
    const wanted = new Set([...this.summary.attention, ...(firing ? this.summary.firing : []), ...this.live.keys()]);
    let names = [...wanted].filter((key) => this.present(key));
    if (names.length > 1) {
      const place = new Map<string, number>();
      const jsons = new Map(names.map((key) => [JSON.stringify(key), key]));
      let at = 0;
      for (const json of this.entries().keys()) {
        const key = jsons.get(json);
        if (key !== undefined && !this.added.has(key)) place.set(key, at);
        at++;
      }
      for (const key of this.added) place.set(key, at++);
      names = inObjectOrder(names.sort((a, b) => place.get(a)! - place.get(b)!));
    }
    return names.flatMap((key) => {
      const value = this.get(key);
      return value === undefined ? [] : [[key, value] as [string, KeyState]];
    });
  }

  /**
   * Forgets the keys last seen before `cutoff` that `keep` does not hold on to: walks the lines (reading lastSeen,
   * never a key's JSON) only when the summary's oldest is that old, and makes that oldest exact.
   */
  forget(cutoff: number, keep: (key: string) => boolean): void {
    if (this.summary.oldestSeen < cutoff) {
      let oldest = Number.MAX_SAFE_INTEGER;
      for (const [json, address] of this.entries()) {
        const { lastSeen } = this.line(address);
        if (lastSeen < cutoff) {
          const key = JSON.parse(json) as string;
          if (!this.live.has(key) && !this.gone.has(key) && !keep(key)) {
            this.delete(key);
            continue;
          }
        }
        if (lastSeen < oldest) oldest = lastSeen;
      }
      if (oldest !== this.summary.oldestSeen) {
        this.summary = { ...this.summary, oldestSeen: oldest };
        this.oldestChanged = true;
      }
    }
    for (const [key, value] of this.live) if (value.lastSeen < cutoff && !keep(key)) this.delete(key);
  }

  /**
   * Takes the changes of this process into the table as written and returns their lines (undefined when nothing
   * changed); the summary is brought up to date. The caller writes the lines (or the whole table, see whole()).
   */
  commit(): string | undefined {
    if (!this.index && !this.live.size && !this.gone.size && !this.oldestChanged) return undefined;
    const index = this.index;
    const base = this.texts.length * SPAN;
    let body = '';
    let oldest = this.summary.oldestSeen;
    let count = index ? 0 : this.summary.count;
    const removed = [...this.gone];
    // Before the index is built, the keys' addresses are kept in `probed` (and the count counted) instead.
    const drop = (json: string): boolean => {
      if (index) return index.delete(json);
      if (this.address(json) === undefined) return false;
      this.probed.set(json, undefined);
      count--;
      return true;
    };
    for (const key of this.gone) {
      const json = JSON.stringify(key);
      if (drop(json)) body += goneLine(json);
    }
    this.gone.clear();
    const write = (json: string, value: KeyState, text: string) => {
      if (index) index.set(json, base + body.length);
      else {
        if (this.address(json) === undefined) count++;
        this.probed.set(json, base + body.length);
      }
      body += keyLine(json, value.lastSeen, text);
      if (value.lastSeen < oldest) oldest = value.lastSeen;
    };
    for (const [key, value] of this.live) {
      if (this.added.has(key)) continue;
      const json = JSON.stringify(key);
      const text = JSON.stringify(value);
      const address = this.address(json);
      if (address === undefined || this.line(address).json !== text) write(json, value, text);
    }
    for (const key of this.added) {
      const json = JSON.stringify(key);
      // Deleted and added again: at the end of the order, as on a plain map.
      if (drop(json)) body += goneLine(json);
      const value = this.live.get(key)!;
      write(json, value, JSON.stringify(value));
    }
    this.added.clear();
    if (!body && !this.oldestChanged) return undefined;
    this.texts.push(body);
    if (!this.index) this.bodies.push(this.texts.length - 1);
    this.oldestChanged = false;
    this.summarise(oldest, removed, this.index ? this.index.size : count);
    return body;
  }

  /**
   * Indexes the key lines if they are not yet (a line that cannot be read is set aside, see setAsideLate): call it
   * before the lines are written whole or dropped, so that no unreadable line goes unreported.
   */
  indexLines(): void {
    this.entries();
  }

  /**
   * The whole table as last committed, for a section that replaces all before it: the summary with the count of the
   * indexed lines (an unreadable line, which the headers' count may include, is no key) and every key's line, in
   * order; undefined when there is no key. Call after commit().
   */
  whole(): { summary: KeySummary; body: string } | undefined {
    const count = this.entries().size;
    if (count !== this.summary.count) this.summary = { ...this.summary, count, ...(count ? {} : { oldestSeen: Number.MAX_SAFE_INTEGER }) };
    return count ? { summary: this.summary, body: this.lines() } : undefined;
  }

  /** Every key's line as last committed, in order. */
  private lines(): string {
    let body = '';
    for (const address of this.entries().values()) {
      const text = this.texts[Math.floor(address / SPAN)]!;
      const start = address % SPAN;
      body += text.slice(start, text.indexOf('\n', start) + 1);
    }
    return body;
  }

  /**
   * Brings the summary up to the keys as committed (the keys to follow from the last summary, less the keys `removed`,
   * and the keys read since) and sets lastChange; touches only the keys removed or read, never the whole lists.
   */
  private summarise(oldestSeen: number, removed: readonly string[], count: number): void {
    const change: SummaryChange = { count, oldestSeen: count ? oldestSeen : Number.MAX_SAFE_INTEGER, attention: [], firing: [] };
    const attentionGone: string[] = [];
    const firingGone: string[] = [];
    // Whether a key is on a list: by a pass over it for a few keys (a run that touched few keys of an alert with
    // 100,000 firing ones builds no set of them), by a set for many.
    const candidates = removed.length + this.live.size;
    const onList = (list: readonly string[]) => {
      if (candidates <= 32) return (key: string) => list.includes(key);
      const set = new Set(list);
      return (key: string) => set.has(key);
    };
    const isAttention = onList(this.summary.attention);
    const isFiring = onList(this.summary.firing);
    const follow = (on: boolean, want: boolean, key: string, added: string[], gone: string[]) => {
      if (want && !on) added.push(key);
      else if (!want && on) gone.push(key);
    };
    for (const key of removed) {
      follow(isAttention(key), false, key, change.attention, attentionGone);
      follow(isFiring(key), false, key, change.firing, firingGone);
    }
    for (const [key, value] of this.live) {
      const kept = this.address(JSON.stringify(key)) !== undefined;
      follow(isAttention(key), kept && Boolean(value.acknowledged || value.handled), key, change.attention, attentionGone);
      follow(isFiring(key), kept && isFiringKey(value), key, change.firing, firingGone);
    }
    if (attentionGone.length) change.attentionGone = attentionGone;
    if (firingGone.length) change.firingGone = firingGone;
    const updated = (list: readonly string[], added: string[], gone: string[]) => {
      if (!added.length && !gone.length) return list as string[];
      const without = new Set(gone);
      return [...(gone.length ? list.filter((key) => !without.has(key)) : list), ...added];
    };
    this.summary = {
      count: change.count,
      oldestSeen: change.oldestSeen,
      attention: updated(this.summary.attention, change.attention, attentionGone),
      firing: updated(this.summary.firing, change.firing, firingGone),
    };
    this.lastChange = change;
  }

  /** True when the key is there (read, set, or as written and not deleted). */
  private present(key: string): boolean {
    return this.live.has(key) || (!this.gone.has(key) && this.address(JSON.stringify(key)) !== undefined);
  }

  /** Where the line of a key (as JSON) is: from the index once built, else found by searching the texts (a few keys only). */
  private address(json: string): number | undefined {
    if (this.index) return this.index.get(json);
    if (this.probed.has(json)) return this.probed.get(json);
    if (this.scanned >= this.budget) return this.entries().get(json);
    const found = this.probe(json);
    // A line of this very key that cannot be read: the index sets it aside and warns, as it did before any search.
    if (found === 'damaged') return this.entries().get(json);
    this.probed.set(json, found);
    return found;
  }

  /**
   * The address of a key's line as the index would have it, found without indexing: the last line of the key in the
   * newest text that has one (commits' texts, newest first, then the sections, newest first); undefined when that line
   * forgets the key, or no text has one. Lines that cannot be read are passed over: the index, built before the lines
   * are written whole or dropped (see indexLines), sets them aside.
   */
  private probe(json: string): number | 'damaged' | undefined {
    // Oldest to newest (the sections as read, then the commits' bodies), searched from the end.
    const pieces = [...this.pieces.map((p) => ({ at: p.at, start: p.section.start, end: p.section.end })), ...this.bodies.map((at) => ({ at, start: 0, end: this.texts[at]!.length }))];
    for (let i = pieces.length - 1; i >= 0; i--) {
      const { at, start, end } = pieces[i]!;
      this.scanned += end - start;
      const found = lastKeyLine(this.texts[at]!, start, end, json);
      if (found === 'damaged') return found;
      if (found === 'gone') return undefined;
      if (found !== undefined) return at * SPAN + found;
    }
    return undefined;
  }

  /** The lastSeen and JSON of the line at an address. */
  private line(address: number): { lastSeen: number; json: string } {
    return keyLineAt(this.texts[Math.floor(address / SPAN)]!, address % SPAN);
  }

  /** The index of the key lines (built the first time, parsing nothing): the last line of each key wins, a forgotten key is dropped. */
  private entries(): Map<string, number> {
    if (this.index) return this.index;
    const index = new Map<string, number>();
    const bad = (line: string) => setAsideLate({ where: `alerts[${JSON.stringify(this.alert)}].keys`, why: 'a line of the key file that is not "key", lastSeen and the key as JSON', value: line });
    for (const { section, at } of this.pieces) indexKeyLines(section, at * SPAN, index, bad);
    for (const at of this.bodies) {
      const text = this.texts[at]!;
      indexKeyLines({ alert: this.alert, summary: this.summary, full: false, text, start: 0, end: text.length }, at * SPAN, index, bad);
    }
    this.pieces = [];
    this.bodies.length = 0;
    this.probed.clear();
    this.index = index;
    return index;
  }
}

/**
 * The start of the last readable line of the key `json` among the lines from `start` to `end` of `text` ('gone' when
 * that line forgets the key), as indexKeyLines would take it; undefined when there is none; 'damaged' when a line of
 * this key cannot be read (a line starting with the key's JSON can be no other key's: a JSON string ends at its quote).
 */
function lastKeyLine(text: string, start: number, end: number, json: string): number | 'gone' | 'damaged' | undefined {
  const part = start === 0 && end === text.length ? text : text.slice(start, end);
  const needle = `\n${json}`;
  let last: number | 'gone' | undefined;
  let damaged = false;
  const take = (pos: number) => {
    const first = pos + json.length;
    const nl = part.indexOf('\n', first);
    const second = part.indexOf('\t', first + 1);
    if (part[first] !== '\t' || nl < 0 || second < 0 || second > nl) damaged = true;
    else last = second === first + 1 ? 'gone' : start + pos;
  };
  if (part.startsWith(json)) take(0);
  for (let at = part.indexOf(needle); at >= 0; at = part.indexOf(needle, at + 1)) take(at + 1);
  return damaged ? 'damaged' : last;
}

/** Names in the order of a plain map's keys: integer-like names first by value, then the others as they come. */
function inObjectOrder(names: string[]): string[] {
  const integers = names.filter((name) => arrayIndex(name) !== undefined);
  if (!integers.length) return names;
  return [...integers.sort((a, b) => arrayIndex(a)! - arrayIndex(b)!), ...names.filter((name) => arrayIndex(name) === undefined)];
}

/** The name as an array index (what a plain map puts first), else undefined. */
function arrayIndex(name: string): number | undefined {
  if (!/^(0|[1-9][0-9]{0,9})$/.test(name)) return undefined;
  const value = Number(name);
  return value < 4294967295 ? value : undefined;
}

/** Firing as policy/decide.ts isFiring says (state may not import policy): notified, and not resolved since. */
export function isFiringKey(key: KeyState): boolean {
  return key.lastFired !== undefined && !(key.resolvedAt !== undefined && key.resolvedAt >= key.lastFired);
}
