import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SentNotice } from '../model/state.js';
import { syncFolder } from '../util/durableFile.js';
import { sentProblem } from './settle.js';

/** A log file's name: its place in the order of writing, and the UTC day of the latest receipt it holds. */
const SEQ_FILE = /^(\d+)-(\d{4}-\d{2}-\d{2})\.jsonl$/;
/** An older layout's file name: the day only (read before every numbered file, in the order of its days). */
const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;

/** One file of the log: its name, its place in the order of writing (0 for the older layout) and its day. */
interface LogFile {
  name: string;
  seq: number;
  day: string;
}
const DAY_MS = 86_400_000;
/** A line's id when the line starts with it (as alertcron writes them): read without parsing the line. */
const LEADING_ID = /^\{"id":"((?:[^"\\]|\\.)*)"/;

/**
 * The receipts of accepted notices as an append-only log beside the state: a folder of files
 * (`<seq>-<yyyy-mm-dd>.jsonl`: read in the order of `seq`, the day being that of the latest receipt the file holds),
 * one SentNotice per line, each append synced. A notice written again (its buttons changed, a clock step rebased it)
 * is appended again: readers keep the last line per id. Old files are forgotten by removing them whole once their
 * day is past, never by rewriting one. An append goes to the newest file only when its receipts are of that file's
 * day, else to a new file: a file written by a clock that was ahead takes no later receipt, so it stays the size of
 * that one write (and the files after it are pruned as usual), and is removed once the receipts it held were written
 * again at their moved-back times (dropAfter). Files of the older layout (`<yyyy-mm-dd>.jsonl`)
 * are read first.
 */
export class ReceiptLog {
  constructor(readonly folder: string) {}

  /**
   * Appends the notices' lines to the newest file if its day is that of the latest of them, else to a new file
   * after it, and syncs it; a new file's folder is synced too.
   */
  append(notices: readonly SentNotice[]): void {
    if (!notices.length) return;
    const files = this.files();
    if (!files.length) {
      mkdirSync(this.folder, { recursive: true, mode: 0o700 });
      syncFolder(dirname(this.folder));
    }
    const latest = dayOf(notices.reduce((at, n) => Math.max(at, n.at), 0));
    const newest = files.at(-1);
    const name = newest !== undefined && newest.seq > 0 && newest.day === latest ? newest.name : `${(newest?.seq ?? 0) + 1}-${latest}.jsonl`;
    const fd = openSync(join(this.folder, name), 'a+', 0o600);
    try {
      const size = fstatSync(fd).size;
      // A line a killed append left unfinished ends here, so that it spoils only itself.
      const start = size > 0 && lastByte(fd, size) !== 0x0a ? '\n' : '';
      writeSync(fd, start + notices.map((n) => JSON.stringify(n)).join('\n') + '\n');
      fsyncSync(fd);
      if (size === 0) syncFolder(this.folder);
    } finally {
      closeSync(fd);
    }
  }

  /** The text of one file of the log, or undefined when it cannot be read (removed by a pruning run meanwhile). */
  private text(name: string): string | undefined {
    try {
      return readFileSync(join(this.folder, name), 'utf8');
    } catch {
      return undefined;
    }
  }

  /**
   * The notices of the files of `since`'s day or later (all of them if unset), oldest write first, the
   * last line of each id winning (in the place of its first); lines that cannot be read (one a kill cut, one of the
   * wrong shape) are skipped.
   */
  read(since?: number): SentNotice[] {
    const byId = new Map<string, SentNotice>();
    const first = since === undefined ? '' : dayOf(since);
    for (const file of this.files()) {
      const text = file.day < first ? undefined : this.text(file.name);
      if (text === undefined) continue;
      for (const line of text.split('\n')) {
        if (!line) continue;
        let notice: SentNotice;
        try {
          notice = JSON.parse(line) as SentNotice;
        } catch {
          continue;
        }
        if (!sentProblem(notice)) byId.set(notice.id, notice);
      }
    }
    return [...byId.values()];
  }

  /**
   * The latest version of the first notice, newest write first, that `match` accepts, reading files from the newest
   * and stopping there: only lines holding `hint` are parsed in full (for the others only their id is, so that an
   * older line of a notice written again never wins). Notices accepted before `since`, and ids in `skip`, are passed over.
   */
  find(hint: string, match: (notice: SentNotice) => boolean, since?: number, skip: ReadonlySet<string> = new Set()): SentNotice | undefined {
    const seen = new Set(skip);
    const first = since === undefined ? '' : dayOf(since);
    for (const file of this.files().reverse()) {
      const text = file.day < first ? undefined : this.text(file.name);
      if (text === undefined) continue;
      const lines = text.split('\n');
      for (let i = lines.length - 1; i >= 0; i--) {
        const line = lines[i]!;
        if (!line) continue;
        const hinted = line.includes(hint);
        // Only a whole line (ending as alertcron ends them) is trusted by its id alone: a line a kill cut, or one that
        // does not end with `}`, is parsed and checked in full, so that it never hides an older valid version (as read skips it).
        const id = hinted || !line.endsWith('}') ? undefined : LEADING_ID.exec(line)?.[1];
        if (id !== undefined) {
          seen.add(JSON.parse(`"${id}"`) as string);
          continue;
        }
        let notice: SentNotice;
        try {
          notice = JSON.parse(line) as SentNotice;
        } catch {
          continue;
        }
        if (sentProblem(notice) || seen.has(notice.id)) continue;
        seen.add(notice.id);
        if (hinted && (since === undefined || notice.at >= since) && match(notice)) return notice;
      }
    }
    return undefined;
  }

  /**
   * Removes the files whose day is later than `day` (written by a clock that was ahead, their receipts since moved back
   * and written again), first appending again the `current` version of each notice they hold that is still kept.
   */
  dropAfter(day: string, current: (id: string) => SentNotice | undefined): void {
    const later = this.files().filter((file) => file.day > day);
    if (!later.length) return;
    const again = new Map<string, SentNotice>();
    for (const file of later) {
      for (const line of (this.text(file.name) ?? '').split('\n')) {
        let id: unknown;
        try {
          id = line ? (JSON.parse(line) as { id?: unknown }).id : undefined;
        } catch {
          continue;
        }
        const notice = typeof id === 'string' ? current(id) : undefined;
        if (notice) again.set(notice.id, notice);
      }
    }
    this.append([...again.values()]);
    for (const file of later) rmSync(join(this.folder, file.name), { force: true });
  }

  /** Removes the files whose day ended by `before` (epoch ms): every receipt in them was accepted before that. */
  prune(before: number): void {
    for (const file of this.files()) if (Date.parse(`${file.day}T00:00:00Z`) + DAY_MS <= before) rmSync(join(this.folder, file.name), { force: true });
  }

  /** The days that have a file, in the order the files are read. */
  days(): string[] {
    return this.files().map((file) => file.day);
  }

  /** The log's files in the order they were written: the older layout's by day, then the numbered ones by number. */
  files(): LogFile[] {
    let names: string[];
    try {
      names = readdirSync(this.folder);
    } catch {
      return [];
    }
    const files = names.flatMap((name): LogFile[] => {
      const numbered = SEQ_FILE.exec(name);
      if (numbered) return [{ name, seq: Number(numbered[1]), day: numbered[2]! }];
      const day = DAY_FILE.exec(name)?.[1];
      return day ? [{ name, seq: 0, day }] : [];
    });
    return files.sort((a, b) => a.seq - b.seq || (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  }
}

/** The folder of the receipts of a state file. */
export function receiptFolder(stateFile: string): string {
  return `${stateFile}.receipts`;
}

/** The UTC day of a time, as the day files are named. */
function dayOf(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

function lastByte(fd: number, size: number): number {
  const buffer = Buffer.alloc(1);
  readSync(fd, buffer, 0, 1, size - 1);
  return buffer[0]!;
}
