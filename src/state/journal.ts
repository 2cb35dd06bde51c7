import { closeSync, existsSync, fdatasync, openSync, readFileSync, rmSync, write } from 'node:fs';
import { dirname } from 'node:path';
import type { PendingDelivery, StateData } from '../model/state.js';
import { syncFolder } from '../util/durableFile.js';
import { DeliveryBatch, type DeliveredEntry } from './delivered.js';
import { isStoredTime } from '../util/epochTime.js';
import { pendingProblem } from './settle.js';

/** A delivery recovered from the journal: the pending item it settled, and what the journal says of it. */
export interface RecoveredDelivery {
  item: PendingDelivery;
  entry: DeliveredEntry;
}

/**
 * An append-only file of deliveries accepted since the state was last written: one JSON line each, synced to
 * disk before the delivery counts as recorded (cheap next to rewriting the state), so that a run killed half-way
 * through its deliveries is not followed by a run that sends them all again. Lines appended while a sync is under
 * way are written and synced together (group commit): one write and one fdatasync per batch, off the event loop.
 */
export class DeliveryJournal {
  private fd: number | undefined;
  private queue: { line: string; done: (error?: Error) => void }[] = [];
  private flushing: Promise<void> | undefined;
  /** Set once a write or sync failed: no later line is taken for durable (its page may be lost with the failed one). */
  private broken: Error | undefined;
  /** How many batches were written and synced (each one write and one fdatasync). */
  syncs = 0;

  constructor(private readonly file: string) {}

  /** Appends one accepted delivery; resolves once its line is synced to disk, rejects if it could not be. */
  append(entry: DeliveredEntry): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.queue.push({ line: `${JSON.stringify(entry)}\n`, done: (error) => (error ? reject(error) : resolve()) });
      this.flushing ??= this.flush();
    });
  }

  /** Waits until every line appended so far was synced (or failed). */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    // Never done in the tick that started it (append sets `flushing` first), and lines of this tick join the batch.
    await undefined;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0);
        try {
          if (this.broken) throw this.broken;
          if (this.fd === undefined) {
            this.fd = openSync(this.file, 'a');
            // The journal's own name must survive a crash too, not only its lines.
            syncFolder(dirname(this.file));
          }
          await writeAll(this.fd, Buffer.from(batch.map((b) => b.line).join('')));
          await new Promise<void>((resolve, reject) => fdatasync(this.fd!, (error) => (error ? reject(error) : resolve())));
          this.syncs++;
          for (const b of batch) b.done();
        } catch (error) {
          this.broken ??= new Error(`the delivery journal ${this.file} could not be written and synced: ${(error as Error).message}`);
          for (const b of batch) b.done(this.broken);
        }
      }
    } finally {
      // In the same step as the last check of the queue: a line appended from the resolution of the last batch
      // (a microtask later) starts a flush of its own instead of waiting for this one.
      this.flushing = undefined;
    }
  }

  /** Applies what a killed run journalled to the state read from disk; returns the deliveries it recovered (each item with its entry). */
  replay(data: StateData): RecoveredDelivery[] {
    if (!existsSync(this.file)) return [];
    const recovered: RecoveredDelivery[] = [];
    const batch = new DeliveryBatch(data);
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      let entry: DeliveredEntry;
      try {
        entry = JSON.parse(line) as DeliveredEntry;
      } catch {
        continue; // an empty line, or the last one cut by the kill
      }
      // A line of the wrong shape (not written by alertcron) is skipped like a cut one.
      if (typeof entry?.id !== 'string' || !isStoredTime(entry.at) || (entry.then !== undefined && pendingProblem(entry.then))) continue;
      const item = batch.mark(entry);
      if (item) recovered.push({ item, entry });
    }
    batch.finish();
    return recovered;
  }

  /** Forgets the journal once the state holding its entries is safely written (nothing may be appending: see settled). */
  clear(): void {
    if (this.flushing) throw new Error(`the delivery journal ${this.file} is cleared while lines are still being synced`);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.broken = undefined;
    rmSync(this.file, { force: true });
  }
}

/** Writes the whole buffer at the end of an append-only file (a short write goes on with the rest). */
async function writeAll(fd: number, buffer: Buffer): Promise<void> {
  for (let offset = 0; offset < buffer.length; ) {
    offset += await new Promise<number>((resolve, reject) => write(fd, buffer, offset, buffer.length - offset, null, (error, written) => (error ? reject(error) : resolve(written))));
  }
}
