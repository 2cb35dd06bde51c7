import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SentNotice } from '../model/state.js';
import { syncFolder } from '../util/durableFile.js';
import { sentProblem } from './settle.js';

/** A day file's name: the UTC day its lines were written on. */
const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;
const DAY_MS = 86_400_000;

/**
 * The receipts of accepted notices as an append-only log beside the state: a folder with one file per UTC day
 * (`<yyyy-mm-dd>.jsonl`, holding receipts accepted on that day or before), one SentNotice per line, each append synced. A notice written again (its buttons
 * changed, a clock step rebased it) is appended again: readers keep the last line per id. Old days are forgotten by
 * removing their whole file, never by rewriting one.
 */
export class ReceiptLog {
  constructor(readonly folder: string) {}

  /**
   * Appends the notices' lines to the file of the day of the latest of them (or the newest file's, if later: files
   * follow each other in the order they were written) and syncs it; a new file's folder is synced too.
   */
  append(notices: readonly SentNotice[]): void {
    if (!notices.length) return;
    const days = this.days();
    if (!days.length) {
      mkdirSync(this.folder, { recursive: true, mode: 0o700 });
      syncFolder(dirname(this.folder));
    }
    const latest = dayOf(notices.reduce((at, n) => Math.max(at, n.at), 0));
    const newest = days.at(-1);
    const file = join(this.folder, `${newest !== undefined && newest > latest ? newest : latest}.jsonl`);
    const fd = openSync(file, 'a+', 0o600);
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

  /**
   * The notices of the day files of `since`'s day or later (all of them if unset), oldest write first, the
   * last line of each id winning (in the place of its first); lines that cannot be read (one a kill cut, one of the
   * wrong shape) are skipped.
   */
  read(since?: number): SentNotice[] {
    const byId = new Map<string, SentNotice>();
    const first = since === undefined ? '' : dayOf(since);
    for (const day of this.days()) {
      if (day < first) continue;
      let text: string;
      try {
        text = readFileSync(join(this.folder, `${day}.jsonl`), 'utf8');
      } catch {
        continue;
      }
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

  /** Removes the day files whose day ended by `before` (epoch ms): every receipt in them was accepted before that. */
  prune(before: number): void {
    for (const day of this.days()) if (Date.parse(`${day}T00:00:00Z`) + DAY_MS <= before) rmSync(join(this.folder, `${day}.jsonl`), { force: true });
  }

  /** The days that have a file, oldest first. */
  days(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.folder);
    } catch {
      return [];
    }
    return names.flatMap((name) => DAY_FILE.exec(name)?.[1] ?? []).sort();
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
