import { closeSync, existsSync, fdatasyncSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import type { StateData } from '../model/state.js';
import { markDelivered, type DeliveredEntry } from './delivered.js';
import { isStoredTime, pendingProblem } from './settle.js';

/**
 * An append-only file of deliveries accepted since the state was last written: one JSON line each, synced to
 * disk as it happens (cheap next to rewriting the state), so that a run killed half-way through its deliveries
 * is not followed by a run that sends them all again.
 */
export class DeliveryJournal {
  private fd: number | undefined;

  constructor(private readonly file: string) {}

  /** Appends one accepted delivery and syncs it. */
  append(entry: DeliveredEntry): void {
    this.fd ??= openSync(this.file, 'a');
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    fdatasyncSync(this.fd);
  }

  /** Applies what a killed run journalled to the state read from disk; returns how many deliveries it recovered. */
  replay(data: StateData): number {
    if (!existsSync(this.file)) return 0;
    let recovered = 0;
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      let entry: DeliveredEntry;
      try {
        entry = JSON.parse(line) as DeliveredEntry;
      } catch {
        continue; // an empty line, or the last one cut by the kill
      }
      // A line of the wrong shape (not written by alertcron) is skipped like a cut one.
      if (typeof entry?.id !== 'string' || !isStoredTime(entry.at) || (entry.then !== undefined && pendingProblem(entry.then))) continue;
      if (markDelivered(data, entry)) recovered++;
    }
    return recovered;
  }

  /** Forgets the journal once the state holding its entries is safely written. */
  clear(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    rmSync(this.file, { force: true });
  }
}
