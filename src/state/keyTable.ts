import type { KeyState } from '../model/state.js';
import { eachKeyLine, goneLine, keyLine, type KeySummary, type Section } from './keyFile.js';
import { setAsideLate, settleLateKeys } from './setAside.js';

/** Where one key's stored state is: its JSON in `text` between `start` and `end`, its lastSeen, its place in the object's order. */
interface Entry {
  text: string;
  start: number;
  end: number;
  lastSeen: number;
  seq: number;
}

/** The table behind each alert's `keys` that the file store read (keyed by the map the alert state holds). */
const tables = new WeakMap<object, KeyTable>();

/** The key table behind an alert's `keys`, or undefined for a plain map (keys made in this process, or another store's). */
export function keyTableOf(keys: Record<string, KeyState> | undefined): KeyTable | undefined {
  return keys === undefined ? undefined : tables.get(keys);
}

/**
 * The keys an absent-key walk must look at, as [name, state] in the map's order: of a key table, only those that
 * can need it (see KeyTable.followed); every key of a plain map.
 */
export function followedKeys(keys: Record<string, KeyState>): [string, KeyState][] {
  return keyTableOf(keys)?.followed() ?? Object.entries(keys);
}

/** The keys whose times may differ from what their runs wrote: of a key table, those read or set in this process; every key of a plain map. */
export function touchedKeys(keys: Record<string, KeyState>): KeyState[] {
  return keyTableOf(keys)?.touched() ?? Object.values(keys);
}

/**
 * One alert's keys as the key file holds them, read one key at a time: `proxy` is the map the alert state holds (any
 * read, write, delete or walk works as on a plain map without a prototype); a key's JSON is parsed the first time it
 * is read, the lines are indexed the first time any key is, and a commit writes only the keys that changed.
 */
export class KeyTable {
  /** The keys as last written (by key JSON), in the order of the map; built on first use. */
  private index?: Map<string, Entry>;
  /** The keys read or set in this process: they may have changed. */
  private readonly live = new Map<string, KeyState>();
  /** The keys deleted in this process and not written so yet. */
  private readonly gone = new Set<string>();
  /** Keys added in this process (or deleted and added again: the end of the order), with their place. */
  private readonly added = new Map<string, number>();
  private seq = 0;
  /** The map the alert state holds. */
  readonly proxy: Record<string, KeyState>;

  constructor(
    readonly alert: string,
    private sections: readonly Section[],
    /** The summary as last written: exact while nothing changed since. */
    public summary: KeySummary,
  ) {
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

  /** True once any key was looked at (the summary alone no longer says what the keys are). */
  get indexed(): boolean {
    return this.index !== undefined;
  }

  /** Reads a key (parsing its JSON once), undefined when there is none (or it was set aside: it had the wrong shape). */
  get(key: string): KeyState | undefined {
    const known = this.live.get(key);
    if (known !== undefined || this.gone.has(key)) return known;
    const entry = this.entries().get(JSON.stringify(key));
    if (entry === undefined || this.added.has(key)) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(entry.text.slice(entry.start, entry.end));
    } catch (error) {
      setAsideLate({ where: `alerts[${JSON.stringify(this.alert)}].keys[${JSON.stringify(key)}]`, why: `not valid JSON (${(error as Error).message})`, value: entry.text.slice(entry.start, entry.end) });
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
    if (!this.present(key)) this.added.set(key, ++this.seq);
    this.gone.delete(key);
    this.live.set(key, value);
  }

  /** Forgets a key. */
  delete(key: string): void {
    this.live.delete(key);
    this.added.delete(key);
    if (this.entries().has(JSON.stringify(key))) this.gone.add(key);
  }

  /** How many keys there are (the summary's count while none was looked at). */
  count(): number {
    if (!this.index) return this.summary.count;
    let count = this.index.size - this.gone.size;
    for (const key of this.added.keys()) if (!this.index.has(JSON.stringify(key))) count++;
    return count;
  }

  /** Every key's name, in the order a plain map would give (integer-like names first, then as added). */
  names(): string[] {
    const places: [string, number][] = [];
    for (const [json, entry] of this.entries()) {
      const key = JSON.parse(json) as string;
      if (!this.gone.has(key) && !this.added.has(key)) places.push([key, entry.seq]);
    }
    for (const [key, seq] of this.added) places.push([key, seq]);
    return places.sort(objectOrder).map(([key]) => key);
  }

  /** The keys read or set in this process (the others are as their runs left them). */
  touched(): KeyState[] {
    return [...this.live.values()];
  }

  /**
   * The keys an absent-key walk must look at, as [name, state] in the map's order: those the summary says are
   * acknowledged, handled or firing, and those read or set in this process; no other key can be.
   */
  followed(): [string, KeyState][] {
    const names = new Set([...this.summary.attention, ...this.summary.firing, ...this.live.keys()]);
    const places: [string, number][] = [];
    for (const key of names) {
      const place = this.place(key);
      if (place !== undefined) places.push([key, place]);
    }
    return places.sort(objectOrder).flatMap(([key]) => {
      const value = this.get(key);
      return value === undefined ? [] : [[key, value] as [string, KeyState]];
    });
  }

  /** Forgets the keys last seen before `cutoff` that `keep` does not hold on to; reads no key's JSON, and nothing at all while the summary says none is that old. */
  forget(cutoff: number, keep: (key: string) => boolean): void {
    if (this.index || this.summary.oldestSeen < cutoff) {
      for (const [json, entry] of this.entries()) {
        if (entry.lastSeen >= cutoff) continue;
        const key = JSON.parse(json) as string;
        if (!this.live.has(key) && !this.gone.has(key) && !this.added.has(key) && !keep(key)) this.delete(key);
      }
    }
    for (const [key, value] of this.live) if (value.lastSeen < cutoff && !keep(key)) this.delete(key);
  }

  /**
   * Takes the changes of this process into the table as written and returns their lines (undefined when nothing
   * changed); the summary is brought up to date. The caller writes the lines (or the whole table, see lines()).
   */
  commit(): string | undefined {
    if (!this.index) return undefined;
    const index = this.index;
    let body = '';
    for (const key of this.gone) {
      const json = JSON.stringify(key);
      if (index.delete(json)) body += goneLine(json);
    }
    this.gone.clear();
    const moved: [string, string, number][] = [];
    for (const [key, value] of this.live) {
      const json = JSON.stringify(key);
      const text = JSON.stringify(value);
      const entry = index.get(json);
      const seq = this.added.get(key);
      if (seq !== undefined) {
        if (entry !== undefined) body += goneLine(json);
        index.delete(json);
        moved.push([json, text, seq]);
        continue;
      }
      if (entry !== undefined && entry.end - entry.start === text.length && entry.text.startsWith(text, entry.start)) continue;
      body += keyLine(json, value.lastSeen, text);
      index.set(json, { text, start: 0, end: text.length, lastSeen: value.lastSeen, seq: entry?.seq ?? ++this.seq });
    }
    for (const [json, text, seq] of moved.sort((a, b) => a[2] - b[2])) {
      const lastSeen = (JSON.parse(text) as KeyState).lastSeen;
      body += keyLine(json, lastSeen, text);
      index.set(json, { text, start: 0, end: text.length, lastSeen, seq });
    }
    this.added.clear();
    if (!body) return undefined;
    this.summary = this.summarise();
    return body;
  }

  /** Every key's line as last committed, in order: the whole table, for a section that replaces all before it. */
  lines(): string {
    let body = '';
    for (const [json, entry] of this.entries()) body += keyLine(json, entry.lastSeen, entry.text.slice(entry.start, entry.end));
    return body;
  }

  /** The summary of the keys as committed: count and oldest from the index, the keys to follow from the last summary and the keys read since. */
  private summarise(): KeySummary {
    const index = this.entries();
    let oldestSeen = Number.MAX_SAFE_INTEGER;
    for (const entry of index.values()) if (entry.lastSeen < oldestSeen) oldestSeen = entry.lastSeen;
    const attention = new Set(this.summary.attention);
    const firing = new Set(this.summary.firing);
    for (const key of [...attention, ...firing]) {
      if (!index.has(JSON.stringify(key))) {
        attention.delete(key);
        firing.delete(key);
      }
    }
    for (const [key, value] of this.live) {
      const kept = index.has(JSON.stringify(key));
      if (kept && (value.acknowledged || value.handled)) attention.add(key);
      else attention.delete(key);
      if (kept && isFiringKey(value)) firing.add(key);
      else firing.delete(key);
    }
    return { count: index.size, oldestSeen, attention: [...attention], firing: [...firing] };
  }

  /** True when the key is there (read, set, or as written and not deleted). */
  private present(key: string): boolean {
    return this.live.has(key) || (!this.gone.has(key) && this.entries().has(JSON.stringify(key)));
  }

  /** A present key's place in the map's order, else undefined. */
  private place(key: string): number | undefined {
    const added = this.added.get(key);
    if (added !== undefined) return added;
    if (this.gone.has(key)) return undefined;
    return this.entries().get(JSON.stringify(key))?.seq;
  }

  /** The index of the key lines (built the first time): the last line of each key wins, a forgotten key is dropped. */
  private entries(): Map<string, Entry> {
    if (this.index) return this.index;
    const index = new Map<string, Entry>();
    const bad = (line: string) => setAsideLate({ where: `alerts[${JSON.stringify(this.alert)}].keys`, why: 'a line of the key file that is not "key", lastSeen and the key as JSON', value: line });
    for (const section of this.sections) {
      eachKeyLine(
        section,
        (line) => {
          if (line.lastSeen === undefined) {
            index.delete(line.keyJson);
            return;
          }
          const entry = index.get(line.keyJson);
          // A key written again keeps its place, as a plain map's would.
          index.set(line.keyJson, { text: section.text, start: line.start, end: line.end, lastSeen: line.lastSeen, seq: entry?.seq ?? ++this.seq });
        },
        bad,
      );
    }
    this.sections = [];
    this.index = index;
    return index;
  }
}

/** The order of a plain map's keys: integer-like names first by value, then the others in the order they were added. */
function objectOrder(a: [string, number], b: [string, number]): number {
  const ai = arrayIndex(a[0]);
  const bi = arrayIndex(b[0]);
  if (ai !== undefined || bi !== undefined) return ai === undefined ? 1 : bi === undefined ? -1 : ai - bi;
  return a[1] - b[1];
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
