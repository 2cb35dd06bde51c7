import type { AlertState, KeyState, StateData } from '../model/state.js';
import { plainMap } from '../util/plainMap.js';
import { settleLateKeys } from './setAside.js';
import { applySummaryChange, isKeyFile, keyFileText, keyLine, readSections, sectionText, type KeySummary, type Section } from './keyFile.js';
import { isFiringKey, KeyTable, keyTableOf } from './keyTable.js';

export type { KeySummary } from './keyFile.js';

/** Most files of changes (beside the key file) before they are merged into one. */
const MAX_DELTAS = 8;
/** Changes are folded into a new key file once they are this large, or half the key file if larger. */
const COMPACT_FLOOR = 256 * 1024;

/**
 * The summary of an alert's keys while none of them was looked at in this process, else undefined (then read the
 * keys). Lets a run skip an alert's key history when nothing in it needs a look.
 */
export function unloadedKeySummary(state: AlertState): KeySummary | undefined {
  const table = keyTableOf(state.keys);
  return table && !table.lookedAt ? table.summary : undefined;
}

/** Summarises a map of keys (see KeySummary). */
export function summariseKeys(keys: Record<string, KeyState>): KeySummary {
  const summary: KeySummary = { count: 0, oldestSeen: Number.MAX_SAFE_INTEGER, attention: [], firing: [] };
  for (const [name, key] of Object.entries(keys)) {
    summary.count++;
    if (key.acknowledged || key.handled) summary.attention.push(name);
    if (isFiringKey(key)) summary.firing.push(name);
    if (key.lastSeen < summary.oldestSeen) summary.oldestSeen = key.lastSeen;
  }
  return summary;
}

/** A key file as read: its name and text. */
export interface NamedText {
  name: string;
  text: string;
}

/**
 * The alerts' keys of a file store: read from the key file state.json names and the files of changes after it
 * (each alert's keys a KeyTable, parsed one key at a time), and written back as only the keys that changed.
 */
export class KeyStore {
  private readonly tables = new Map<string, KeyTable>();
  /**
   * Plain maps (made in this process, or read from an older key file) as last written, by alert: their key lines and
   * summary, and the commit that made them (a commit that writes the whole file reuses what it made for the changes).
   */
  private readonly written = new Map<string, { keys: object; lines: string; summary?: KeySummary; commit: number }>();
  /** Commits made so far. */
  private commits = 0;
  /** Alerts the files hold keys (or a reset) of. */
  private readonly stored = new Set<string>();
  /** Keys of an older key file (one line per alert), parsed whole: written in this format by the next commit. */
  private readonly older = new Map<string, Record<string, KeyState>>();
  private legacy = false;
  /** True while the headers may not match the key lines (a file of changes lost or damaged): the summaries were rebuilt from the keys, and the next commit compacts. */
  private untrusted = false;
  /** What could not be read. */
  readonly problems: string[] = [];

  constructor(
    private base?: NamedText,
    private deltas: NamedText[] = [],
    /** True when a file of changes named with these is missing (its headers' changes to the summaries are lost). */
    lostDeltas = false,
  ) {
    if (base && !isKeyFile(base.text)) {
      this.legacy = true;
      this.readOlder(base.text);
      return;
    }
    const byAlert = new Map<string, Section[]>();
    for (const file of [base, ...deltas]) {
      if (!file) continue;
      const { sections, problem } = readSections(file.text);
      if (problem) this.problems.push(`${file.name} at ${problem}`);
      for (const section of sections) {
        const list = byAlert.get(section.alert);
        if (section.full || !list) byAlert.set(section.alert, [section]);
        else list.push(section);
      }
    }
    for (const [alert, sections] of byAlert) {
      // An alert whose keys were all dropped (a section of none, nothing after) has none to read or reset again.
      if (sections.length === 1 && sections[0]!.full && sections[0]!.start === sections[0]!.end) continue;
      this.stored.add(alert);
      let summary: KeySummary = sections[0]!.full ? sections[0]!.summary : applySummaryChange(summariseKeys({}), sections[0]!.summary);
      for (const section of sections.slice(1)) summary = applySummaryChange(summary, section.summary);
      this.tables.set(alert, new KeyTable(alert, sections, summary));
    }
    // With a file of changes lost or cut short, a later line can hold a key no remaining header lists (an
    // acknowledgement never followed, a firing key never resolved): every summary is made again from the keys.
    if (lostDeltas || this.problems.length) {
      this.untrusted = true;
      for (const table of this.tables.values()) table.summary = summariseKeys(table.proxy);
    }
  }

  /** Gives each alert of `data` its keys: a table over the files, the keys of an older file, or an empty map. */
  attach(data: StateData): void {
    for (const name in data.alerts) {
      const state = data.alerts[name]!;
      const keys = this.tables.get(name)?.proxy ?? this.older.get(name) ?? state.keys;
      // An alert the files hold nothing of has no keys (state.json itself held them only before key files).
      state.keys = keys ?? plainMap();
    }
  }

  /** The fields of state.json that name the key files. */
  names(): { keyFile?: string; keyDeltas?: string[] } {
    if (!this.base) return {};
    return this.deltas.length ? { keyFile: this.base.name, keyDeltas: this.deltas.map((d) => d.name) } : { keyFile: this.base.name };
  }

  /**
   * Writes the keys that changed since the last commit: as a file of changes (`writeFile` writes a new file durably
   * and returns its name), or all keys in a new key file once the changes are large. Returns the files no longer
   * named, to remove once state.json names the new ones.
   */
  commit(data: StateData, writeFile: (text: string) => string): string[] {
    const sections: string[] = [];
    this.commits++;
    // for-in and the table's own proxy rather than entries and the WeakMap: this runs for every alert, every commit.
    for (const name in data.alerts) {
      const state = data.alerts[name]!;
      const table = this.tables.get(name);
      if (table && table.proxy === state.keys) {
        const body = table.commit();
        if (body !== undefined) sections.push(sectionText(name, table.lastChange!, false, body));
        continue;
      }
      const section = this.plainSection(name, state.keys);
      if (section) sections.push(section);
    }
    for (const name of this.stored) {
      if (Object.prototype.hasOwnProperty.call(data.alerts, name)) continue;
      // Its lines are dropped: an unreadable one is set aside first (never dropped unreported).
      this.tables.get(name)?.indexLines();
      sections.push(sectionText(name, summariseKeys({}), true, ''));
      this.forgetAlert(name);
    }
    const pending = this.deltas.reduce((sum, d) => sum + d.text.length, 0) + sections.reduce((sum, s) => sum + s.length, 0);
    const old = [this.base, ...this.deltas].filter((f) => f !== undefined).map((f) => f.name);
    // A file that had problems is left behind by a key file of what was read (else it would spoil every later read).
    if (this.legacy || this.untrusted || this.problems.length || (sections.length && (!this.base || pending > Math.max(COMPACT_FLOOR, this.base.text.length / 2)))) {
      const text = keyFileText(this.wholeSections(data));
      this.base = { name: writeFile(text), text };
      this.deltas = [];
      this.legacy = false;
      this.untrusted = false;
      this.problems.length = 0;
      this.older.clear();
      return old;
    }
    if (!sections.length) return [];
    if (this.deltas.length < MAX_DELTAS) {
      const text = keyFileText(sections);
      this.deltas.push({ name: writeFile(text), text });
      return [];
    }
    // Merged from the sections as read, never the raw texts: what follows a damaged part is not spoiled by it.
    const read = this.deltas.flatMap((d) => readSections(d.text).sections.map((s) => sectionText(s.alert, s.summary, s.full, s.text.slice(s.start, s.end))));
    const text = keyFileText([...read, ...sections]);
    const merged = this.deltas.map((d) => d.name);
    this.deltas = [{ name: writeFile(text), text }];
    return merged;
  }

  /** The section of an alert whose keys are a plain map, all of them, when they differ from what was last written; else undefined. */
  private plainSection(name: string, keys: Record<string, KeyState> | undefined): string | undefined {
    // Most alerts have no key and never had one: nothing to write, nothing to remember (no text made for each, every commit).
    if (!this.stored.has(name) && !this.tables.has(name) && isEmpty(keys)) {
      this.written.delete(name);
      return undefined;
    }
    const map = keys ?? plainMap<KeyState>();
    // The key lines say all the map's JSON does (each key's name and state, in order): made once, compared, written.
    const lines = plainLines(map);
    const before = this.written.get(name);
    if (before?.keys === map && before.lines === lines) {
      before.commit = this.commits;
      return undefined;
    }
    const made = { keys: map, lines, commit: this.commits, summary: undefined as KeySummary | undefined };
    this.written.set(name, made);
    // The table's lines are replaced by the map's: an unreadable one is set aside first.
    this.tables.get(name)?.indexLines();
    this.tables.delete(name);
    if (!lines && !this.stored.has(name)) return undefined;
    this.stored.add(name);
    made.summary = summariseKeys(map);
    return sectionText(name, made.summary, true, lines);
  }

  /** Every alert's keys as sections that replace all before them (alerts without keys have none). */
  private wholeSections(data: StateData): string[] {
    const sections: string[] = [];
    this.stored.clear();
    for (const name in data.alerts) {
      const state = data.alerts[name]!;
      const table = this.tables.get(name);
      if (table && table.proxy === state.keys) {
        // From the indexed lines (an unreadable one is set aside, and not counted as a key as the headers may count it).
        const whole = table.whole();
        if (!whole) continue;
        sections.push(sectionText(name, whole.summary, true, whole.body));
      } else {
        if (!this.tables.has(name) && isEmpty(state.keys)) {
          this.written.delete(name);
          continue;
        }
        const map = state.keys ?? plainMap<KeyState>();
        // What this commit made of the map already (its changes were looked for first) is not made again.
        const before = this.written.get(name);
        const fresh = before?.keys === map && before.commit === this.commits ? before : undefined;
        const lines = fresh ? fresh.lines : plainLines(map);
        const summary = lines ? (fresh?.summary ?? summariseKeys(map)) : undefined;
        this.written.set(name, { keys: map, lines, summary, commit: this.commits });
        this.tables.get(name)?.indexLines();
        this.tables.delete(name);
        if (!lines) continue;
        sections.push(sectionText(name, summary!, true, lines));
      }
      this.stored.add(name);
    }
    return sections;
  }

  /** Drops what is known of an alert's stored keys. */
  private forgetAlert(name: string): void {
    this.stored.delete(name);
    this.tables.delete(name);
    this.written.delete(name);
  }

  /** Reads an older key file (one line per alert: name, summary and all its keys as JSON), parsing every key once. */
  private readOlder(text: string): void {
    let start = 0;
    let line = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const raw = text.slice(start, end);
      start = end + 1;
      line++;
      if (!raw) continue;
      const first = raw.indexOf('\t');
      const second = first < 0 ? -1 : raw.indexOf('\t', first + 1);
      try {
        if (second < 0) throw new Error('not name, summary and keys');
        const name = JSON.parse(raw.slice(0, first)) as unknown;
        if (typeof name !== 'string') throw new Error('not name, summary and keys');
        this.older.set(name, settleLateKeys(name, JSON.parse(raw.slice(second + 1))));
        this.stored.add(name);
      } catch (error) {
        this.problems.push(`line ${line}: ${(error as Error).message}`);
      }
    }
  }
}

/** True for a plain map of keys that holds none (or none at all). */
function isEmpty(keys: Record<string, KeyState> | undefined): boolean {
  for (const _key in keys) return false;
  return true;
}

/** The key lines of a plain map of keys. */
function plainLines(keys: Record<string, KeyState>): string {
  let body = '';
  for (const [key, value] of Object.entries(keys)) body += keyLine(JSON.stringify(key), value.lastSeen, JSON.stringify(value));
  return body;
}
