/**
 * The key file's format: a first line KEY_FILE_MAGIC, then sections, one per alert whose keys it holds. A section is a
 * header line `A|U <tab> "alert" <tab> {summary} <tab> length` and `length` characters of key lines, one per key:
 * `"key" <tab> lastSeen <tab> {key state}` (a key forgotten: `"key" <tab> <tab>`). `A` holds all of the alert's keys
 * (what came before for it is dropped), `U` the keys changed since; a `U` header's lists are only the keys added to
 * them, with `attentionGone` / `firingGone` the keys taken off (so a header does not repeat long lists). A reader finds an alert's keys by skipping whole
 * sections and a key by its line, without parsing the keys it does not need.
 */
import { isPlainObject } from '../util/plainMap.js';

/** The first line of a key file in this format (an older key file, one line per alert, has none). */
export const KEY_FILE_MAGIC = 'alertcron keys 2';

/** What a section's header says of the alert's keys after it: how many, the oldest lastSeen, and the keys that need a look. */
export interface KeySummary {
  /** Keys remembered. */
  count: number;
  /** The earliest lastSeen of the keys, MAX_SAFE_INTEGER for none (pruning has nothing to do before prune_after has passed since). */
  oldestSeen: number;
  /** Keys acknowledged or handled elsewhere: followed until they stop matching. */
  attention: string[];
  /** Keys notified and not resolved since (an alert with resolve_after follows them). */
  firing: string[];
}

/** A `U` header's summary: count and oldestSeen as after it, the lists as the keys added, and the keys taken off. */
export interface SummaryChange extends KeySummary {
  attentionGone?: string[];
  firingGone?: string[];
}

/** The summary after a `U` section: `before` with the change applied (an older `U` header's full lists only add keys already there). */
export function applySummaryChange(before: KeySummary, change: SummaryChange): KeySummary {
  const apply = (list: readonly string[], added: readonly string[], gone: readonly string[] | undefined) => {
    const keys = new Set(list);
    for (const key of gone ?? []) keys.delete(key);
    for (const key of added) keys.add(key);
    return [...keys];
  };
  return { count: change.count, oldestSeen: change.oldestSeen, attention: apply(before.attention, change.attention, change.attentionGone), firing: apply(before.firing, change.firing, change.firingGone) };
}

/** One section of a key file as read: its alert, the summary after it, whether it replaces what came before, its lines' range in `text`. */
export interface Section {
  alert: string;
  /** The header's summary: a `U` section's lists are changes (see SummaryChange). */
  summary: SummaryChange;
  full: boolean;
  text: string;
  start: number;
  end: number;
}

/** A section's text: header and key lines (`body`, each line ending in a newline). */
export function sectionText(alert: string, summary: KeySummary | SummaryChange, full: boolean, body: string): string {
  return `${full ? 'A' : 'U'}\t${JSON.stringify(alert)}\t${JSON.stringify(summary)}\t${body.length}\n${body}`;
}

/** The line of one key: its name as JSON, its lastSeen (so pruning reads no JSON) and its state as JSON. */
export function keyLine(keyJson: string, lastSeen: number, valueJson: string): string {
  return `${keyJson}\t${lastSeen}\t${valueJson}\n`;
}

/** The line of a key forgotten since the sections before. */
export function goneLine(keyJson: string): string {
  return `${keyJson}\t\t\n`;
}

/** A key file's whole text from its sections' texts. */
export function keyFileText(sections: readonly string[]): string {
  return `${KEY_FILE_MAGIC}\n${sections.join('')}`;
}

/** True when the text is a key file in this format (else it is an older one, or not a key file). */
export function isKeyFile(text: string): boolean {
  return text.startsWith(`${KEY_FILE_MAGIC}\n`);
}

/**
 * The sections of a key file in this format, in order, skipping over the key lines; `problem` says where and why it
 * could not be read on (the sections before are kept).
 */
export function readSections(text: string): { sections: Section[]; problem?: string } {
  const sections: Section[] = [];
  let pos = KEY_FILE_MAGIC.length + 1;
  while (pos < text.length) {
    const headerEnd = text.indexOf('\n', pos);
    const parts = (headerEnd < 0 ? '' : text.slice(pos, headerEnd)).split('\t');
    try {
      if (parts.length !== 4 || (parts[0] !== 'A' && parts[0] !== 'U')) throw new Error('not a section header');
      const alert = JSON.parse(parts[1]!) as unknown;
      const summary = JSON.parse(parts[2]!) as unknown;
      const length = Number(parts[3]);
      if (typeof alert !== 'string') throw new Error('the alert is not a string');
      if (!isSummary(summary)) throw new Error('the summary is not count, oldestSeen, attention and firing');
      const start = headerEnd + 1;
      const end = start + length;
      if (!Number.isSafeInteger(length) || length < 0 || end > text.length || (length > 0 && text[end - 1] !== '\n')) throw new Error('the length does not end at a line');
      sections.push({ alert, summary, full: parts[0] === 'A', text, start, end });
      pos = end;
    } catch (error) {
      return { sections, problem: `character ${pos}: ${(error as Error).message}` };
    }
  }
  return { sections };
}

/** True for a summary as written (see KeySummary). */
function isSummary(value: unknown): value is KeySummary {
  if (!isPlainObject(value)) return false;
  const names = (list: unknown) => Array.isArray(list) && list.every((item) => typeof item === 'string');
  const gone = (list: unknown) => list === undefined || names(list);
  return typeof value.count === 'number' && typeof value.oldestSeen === 'number' && names(value.attention) && names(value.firing) && gone(value.attentionGone) && gone(value.firingGone);
}

/**
 * Indexes a section's key lines into `index` (key JSON -> `base` + the line's start in `text`), in order: a key
 * written again keeps its place, a key forgotten is dropped; a line that cannot be read goes to `bad`. Parses nothing.
 */
export function indexKeyLines(section: Section, base: number, index: Map<string, number>, bad: (line: string) => void): void {
  const { text, end } = section;
  let pos = section.start;
  while (pos < end) {
    const nl = text.indexOf('\n', pos);
    const first = text.indexOf('\t', pos);
    const second = first < 0 ? -1 : text.indexOf('\t', first + 1);
    if (first < 0 || second < 0 || second > nl || text.charCodeAt(pos) !== 34) bad(text.slice(pos, nl));
    else if (second === first + 1) index.delete(text.slice(pos, first));
    else index.set(text.slice(pos, first), base + pos);
    pos = nl + 1;
  }
}

/** The lastSeen and the state's JSON of the key line starting at `pos` in `text` (a line indexKeyLines took). */
export function keyLineAt(text: string, pos: number): { lastSeen: number; json: string } {
  const first = text.indexOf('\t', pos);
  const second = text.indexOf('\t', first + 1);
  return { lastSeen: Number(text.slice(first + 1, second)), json: text.slice(second + 1, text.indexOf('\n', second)) };
}
