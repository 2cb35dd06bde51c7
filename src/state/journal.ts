import { closeSync, existsSync, fdatasyncSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PendingDelivery, StateData } from '../model/state.js';
import { syncFolder } from '../util/durableFile.js';
import { markDelivered, type DeliveredEntry } from './delivered.js';
import { isStoredTime } from '../util/epochTime.js';
import { pendingProblem } from './settle.js';

/** A delivery recovered from the journal: the pending item it settled, and what the journal says of it. */
export interface RecoveredDelivery {
  item: PendingDelivery;
  entry: DeliveredEntry;
}

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
    if (this.fd === undefined) {
      this.fd = openSync(this.file, 'a');
      // The journal's own name must survive a crash too, not only its lines.
      syncFolder(dirname(this.file));
    }
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    fdatasyncSync(this.fd);
  }

  /** Applies what a killed run journalled to the state read from disk; returns the deliveries it recovered (each item with its entry). */
  replay(data: StateData): RecoveredDelivery[] {
    if (!existsSync(this.file)) return [];
    const recovered: RecoveredDelivery[] = [];
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      let entry: DeliveredEntry;
      try {
        entry = JSON.parse(line) as DeliveredEntry;
      } catch {
        continue; // an empty line, or the last one cut by the kill
      }
      // A line of the wrong shape (not written by alertcron) is skipped like a cut one.
      if (typeof entry?.id !== 'string' || !isStoredTime(entry.at) || (entry.then !== undefined && pendingProblem(entry.then))) continue;
      const item = markDelivered(data, entry);
      if (item) recovered.push({ item, entry });
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
